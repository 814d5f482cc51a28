"""The ROS report page in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG
2.1 A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px."""

import pytest
from django.urls import reverse

from naboskap.risk.tests.factories import fill_full_analysis, make_analysis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_page(world, visitor):
    project = world.project
    analysis = make_analysis(project, by=world.users["coordinator"], title="ROS Lindeveien")
    fill_full_analysis(analysis, 6)

    visitor.login(world.users["politician"])
    page = visitor.open(reverse("risk:report", args=[project.pk, analysis.pk]))
    assert page.locator("svg[role=img]").count() == 12
    assert page.locator("h2").count() == 13  # the contents and the twelve sections
    assert page.locator("#hendelse-6").is_visible()
    visitor.audit()
