"""Status badges and the sorted, searchable meetings list in headless Chromium: axe-core finds
no WCAG 2.1 A/AA violations and nothing scrolls sideways at 320 px."""

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.meetings.models import Meeting
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.plans.models import Measure
from naboskap.testing.factories import make_concern, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badges_and_meeting_lists(world, visitor):
    project = world.project
    body = make_body(project, members=[])
    make_meeting(project, body=body, days=3, title="Coming")
    held = make_meeting(project, body=body, days=-3, title="Held one")
    cancelled = make_meeting(project, body=body, days=10, title="Called off")
    Meeting.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    for state in ("planned", "in_progress", "done", "cancelled"):
        measure = make_measure(project, title=f"Measure {state}")
        Measure.objects.filter(pk=measure.pk).update(status=state)
    make_concern(project, "noise")

    visitor.login(world.users["coordinator"])
    page = visitor.open(body.get_absolute_url())
    assert page.locator('.status-badge[data-status="cancelled"]').count() == 1
    word = page.locator('.status-badge[data-status="held"]').first.inner_text().split()[-1]
    assert word in {"Avholdt", "Halde"}  # bokmål or nynorsk
    page = visitor.open(reverse("meetings:meeting_list", args=[project.pk]) + "?q=held")
    assert page.get_by_text("Held one").count() == 1 and page.get_by_text("Coming").count() == 0
    assert held.title in page.content()
    page = visitor.open(reverse("plans:plan", args=[project.pk]))
    assert page.locator('.status-badge[data-color="success"]').count() == 1
    visitor.open(reverse("concerns:inbox"))
    visitor.assert_no_problems()
