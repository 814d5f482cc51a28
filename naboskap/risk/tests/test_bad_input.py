"""Bad input on the scoring and scale forms: a clear 4xx, never a server error, nothing
stored. Fuzzed with Hypothesis."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.risk import services
from naboskap.risk.models import ConsequenceScore, ScaleVersion
from naboskap.risk.tests.factories import make_analysis

FUZZ = hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUES = st.one_of(
    st.integers(min_value=-10, max_value=10).map(str),
    st.text(max_size=12),
    st.sampled_from(["", "1.5", "٣", "5 ", "0x3", "None", "9" * 30, "unknown", "Unknown"]),
)


@given(probability=VALUES, level=VALUES, acceptance=VALUES)
@FUZZ
def test_scores_are_checked_against_the_scale(world, en, probability, level, acceptance):
    if not hasattr(world, "event"):
        world.analysis = make_analysis(world.project)
        world.event = services.event_create(analysis=world.analysis, title="Støy")
        world.dimension = world.analysis.scale_version.dimensions.get(key="tillit")
    url = reverse("risk:event_score", args=[world.project.pk, world.analysis.pk, world.event.pk])
    data = {
        "before-probability": probability,
        f"before-dim_{world.dimension.pk}": level,
        "after-acceptance": acceptance,
    }
    response = en["coordinator"].post(url, data)
    assert response.status_code in {302, 400}
    for score in ConsequenceScore.objects.filter(event=world.event):
        assert 1 <= score.level <= 5
    world.event.refresh_from_db()
    assert world.event.probability in {None, 1, 2, 3, 4, 5}


@given(value=VALUES, colour=VALUES)
@FUZZ
def test_the_scale_editor_never_fails(world, en, value, colour):
    if not hasattr(world, "scale"):
        world.scale = services.scale_create_from_preset(world.municipality)
        world.before = services.scale_content(ScaleVersion.objects.get(scale=world.scale))
    response = en["admin"].post(
        reverse("risk:scale_edit", args=[world.scale.pk]),
        {"name": "Nabolag", "p_1_value": value, "cell_1_1": colour},
    )
    assert response.status_code == 400  # most of the scale is missing
    version = ScaleVersion.objects.get(scale=world.scale)
    assert services.scale_content(version) == world.before


@pytest.mark.parametrize("path", ["ros/999999/", "ros/999999/matrise/", "ros/1/hendelser/9/"])
def test_unknown_analyses_and_events_answer_404(world, en, path):
    response = en["coordinator"].get(f"/app/prosjekter/{world.project.pk}/{path}")
    assert response.status_code == 404


@given(probability=VALUES, level=VALUES, number=st.integers(min_value=-3, max_value=5))
@FUZZ
def test_the_public_vote_endpoint_never_fails(world, probability, level, number):
    """Anything posted to a round's vote page: a clear 4xx or a redirect, never a 500, and
    only votes within the scale are stored."""
    from django.core.cache import cache

    from naboskap.conftest import english
    from naboskap.risk.models import Vote

    cache.clear()  # the flood limit is tested on its own
    if not hasattr(world, "scoring_round"):
        world.analysis = make_analysis(world.project)
        event = services.event_create(analysis=world.analysis, title="Støy")
        world.scoring_round = services.round_open(
            analysis=world.analysis, events=[event], opened_by=None
        )
        world.phone = english()
        world.phone.get(f"/ros/{world.scoring_round.code}/")
    data = {"probability": probability, "c_tillit": level, "c_trygghet": level}
    data.update({"c_liv_helse": "1", "c_materielle": "1"})
    response = world.phone.post(f"/ros/{world.scoring_round.code}/{abs(number)}/", data)
    assert response.status_code in {302, 400, 404}
    for vote in Vote.objects.all():
        assert vote.probability is None or 1 <= vote.probability <= 5  # None: "don't know"
        assert all(1 <= value <= 5 for value in vote.consequences.values())
