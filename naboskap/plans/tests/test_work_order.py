"""The plan and "my measures" list measures in work order: what is still to do first, the
earliest due date first (no date after them, on SQLite as on PostgreSQL), finished ones last."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.plans.models import Measure
from naboskap.plans.selectors import plan_measures
from naboskap.testing.factories import make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(world):
    today = timezone.localdate()
    made = {}
    for title, due, state in (
        ("Done early", today - timedelta(days=30), "done"),
        ("No date", None, "planned"),
        ("Next month", today + timedelta(days=30), "in_progress"),
        ("Overdue", today - timedelta(days=3), "planned"),
        ("Cancelled", today - timedelta(days=40), "cancelled"),
        ("Next week", today + timedelta(days=7), "planned"),
    ):
        measure = make_measure(world.project, title=f"Measure: {title}", due_date=due)
        Measure.objects.filter(pk=measure.pk).update(status=state)
        made[title] = measure
    return made


ORDER = ["Overdue", "Next week", "Next month", "No date", "Cancelled", "Done early"]


def test_plan_measures_come_in_work_order(world, measures):
    assert [m.title for m in plan_measures(world.project)] == [f"Measure: {t}" for t in ORDER]


def test_the_plan_page_shows_that_order_with_one_badge_per_state(world, measures):
    html = (
        english(world.users["coordinator"])
        .get(reverse("plans:plan", args=[world.project.pk]))
        .content.decode()
    )
    assert sorted(ORDER, key=lambda title: html.index(f">Measure: {title}<")) == ORDER
    assert 'data-status="done" data-color="success"' in html
    assert 'data-status="planned" data-color="info"' in html
    assert 'data-status="cancelled" data-color="neutral"' in html
    # "Planned" and "In progress" are open work: never green.
    assert 'data-status="planned" data-color="success"' not in html
    assert 'data-status="in_progress" data-color="success"' not in html
