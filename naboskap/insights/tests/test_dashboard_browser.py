"""The dashboards in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations (charts included) and nothing scrolls sideways at 320 px; also empty and with
a refused period."""

import pytest
from django.urls import reverse

from naboskap.insights.tests.test_dashboard import answer_round, grow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboards(world, visitor, tmp_path):
    visitor.login(world.users["admin"])
    page = visitor.open(reverse("insights:municipality_dashboard"))
    assert page.locator(".chart__empty").count() >= 5  # nothing yet: messages, no charts

    grow(world, 4)
    answer_round(world.project, [4, 4, 3, 5, 2])
    page = visitor.open(reverse("insights:municipality_dashboard"))
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() >= 6
    # Each chart has a name and its data as a table.
    assert page.locator("figure.chart details.chart__data table").count() == charts.count()
    page = visitor.open(reverse("insights:project_dashboard", args=[world.project.pk]))
    assert page.locator("figure.chart svg[role=img]").count() >= 6
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    visitor.open(
        reverse("insights:municipality_dashboard") + "?fra=2026-05-01&til=2026-01-01", status=400
    )
    visitor.assert_no_problems()
