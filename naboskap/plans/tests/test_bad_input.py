"""Whatever staff (or a broken browser) send to the plan's forms and filters: a clear 4xx or
a saved measure, never a server error. Fuzzed with Hypothesis."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.plans.models import Measure
from naboskap.testing.factories import make_measure

FUZZ = hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text with the characters that break things: NUL, surrogates are not sent by browsers.
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=300)
NUMBERISH = st.one_of(TEXT, st.integers(-(10**20), 10**20).map(str))


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "title": TEXT,
            "owner_unit": NUMBERISH,
            "responsible": NUMBERISH,
            "due_date": TEXT,
            "status": TEXT,
            "cancel_reason": TEXT,
            "progress": NUMBERISH,
            "concern": NUMBERISH,
            "is_public": TEXT,
            "public_text": TEXT,
            "part_1": TEXT,
        },
    )
)
def test_measure_form_never_fails(world, coordinator, data):
    response = coordinator.post(reverse("plans:measure_create", args=[world.project.pk]), data)
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert Measure.objects.filter(title=data["title"].strip()).exists()


@FUZZ
@given(status=TEXT, progress=NUMBERISH, reason=TEXT, note=TEXT)
def test_progress_form_never_fails(world, coordinator, status, progress, reason, note):
    if not hasattr(world, "fuzzed"):
        world.fuzzed = make_measure(world.project)
    url = reverse("plans:measure_progress", args=[world.project.pk, world.fuzzed.pk])
    data = {"status": status, "progress": progress, "cancel_reason": reason, "note": note}
    assert coordinator.post(url, data).status_code in {302, 400}


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["group", "status", "unit", "overdue", "side"]), TEXT))
def test_plan_filters_never_fail(world, coordinator, query):
    for name in ["plans:plan", "plans:matrix"]:
        response = coordinator.get(reverse(name, args=[world.project.pk]), query)
        assert response.status_code in {200, 400}
    assert coordinator.get(reverse("plans:my_measures"), query).status_code in {200, 400}
