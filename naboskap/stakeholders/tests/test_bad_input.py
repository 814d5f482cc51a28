"""Bad input on the register's forms: a clear 400 (or a redirect when it happens to be
valid), never a server error, and nothing half-saved. Fuzzed with Hypothesis."""

from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.plans.models import Measure
from naboskap.stakeholders.models import Assessment, Interaction, Person
from naboskap.stakeholders.register import services

FUZZ = hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUES = st.one_of(
    st.integers(min_value=-3, max_value=8).map(str),
    st.text(max_size=12),
    st.sampled_from(["", "2026-02-30", "1.5", "٣", "o1", "p-1", "o99999", "\x00", "9" * 30]),
)


def _setup(world):
    if not hasattr(world, "vel"):
        world.vel = services.organisation_create(
            municipality=world.municipality, name="Lindeveien vel", projects=[world.project]
        )
        world.client = english(world.users["coordinator"])
    return world.client


@given(day=VALUES, channel=VALUES, direction=VALUES, organisation=VALUES, follow_up=VALUES)
@FUZZ
def test_logging_an_interaction_never_fails(
    world, day, channel, direction, organisation, follow_up
):
    client = _setup(world)
    before = Interaction.objects.count(), Measure.objects.count()
    response = client.post(
        reverse("stakeholders:interaction_create", args=[world.project.pk]),
        {
            "occurred_on": day,
            "channel": channel,
            "direction": direction,
            "summary": "Samtale",
            "organisations": [organisation],
            "needs_follow_up": follow_up,
        },
    )
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert (Interaction.objects.count(), Measure.objects.count()) == before


@given(stakeholder=VALUES, day=VALUES, influence=VALUES, affected=VALUES, stance=VALUES)
@FUZZ
def test_assessing_never_fails(world, stakeholder, day, influence, affected, stance):
    client = _setup(world)
    before = Assessment.objects.count()
    response = client.post(
        reverse("stakeholders:assessment_create", args=[world.project.pk]),
        {
            "stakeholder": stakeholder,
            "assessed_on": day,
            "influence": influence,
            "affected": affected,
            "stance": stance,
        },
    )
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert Assessment.objects.count() == before
    for assessment in Assessment.objects.all():
        assert 1 <= assessment.influence <= 5 and 1 <= assessment.affected <= 5


@given(name=st.text(max_size=220), basis=VALUES, consent=VALUES, channel=VALUES, email=VALUES)
@FUZZ
def test_adding_a_person_never_fails(world, name, basis, consent, channel, email):
    client = _setup(world)
    before = Person.objects.count()
    response = client.post(
        reverse("stakeholders:person_create"),
        {
            "name": name,
            "kind": "neighbour",
            "lawful_basis": basis,
            "consent_given_on": consent,
            "preferred_channels": [channel],
            "organisation": consent,
            "projects": [channel],
            "email": email,
            "tags_text": name,
        },
    )
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert Person.objects.count() == before


@given(kind=VALUES, tag=VALUES, project=VALUES, page=VALUES)
@FUZZ
def test_filtering_the_register_never_fails(world, kind, tag, project, page):
    client = _setup(world)
    for name in ("stakeholders:organisation_list", "stakeholders:person_list"):
        response = client.get(
            reverse(name), {"kind": kind, "tag": tag, "project": project, "side": page}
        )
        assert response.status_code in {200, 400}
