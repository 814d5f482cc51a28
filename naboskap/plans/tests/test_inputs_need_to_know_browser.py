"""The page of counts and published answers that staff who do not handle inputs get, in
headless Chromium in bokmål and nynorsk: no WCAG 2.1 A/AA violations, no sideways scrolling,
and never what a neighbour wrote."""

import pytest
from django.urls import reverse

from naboskap.plans.tests.test_inputs_browser import make_inputs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_summary_of_inputs_for_a_politician(world, visitor):
    make_inputs(world)
    visitor.login(world.users["politician"])
    page = visitor.open(reverse("inputs:list", args=[world.project.pk]))
    assert page.get_by_text("Naboene ønsker fartsdumper.").is_visible()
    assert page.get_by_text("Flere benker, takk.").count() == 0
    assert page.get_by_text("Velforeningen ønsker").count() == 0
    visitor.assert_no_problems()
