"""Observed against assessed: concerns linked to an event (in any revision of it) over the
last 12 months give an observed probability level; an event observed above its assessed
level is flagged "re-assess" on the analysis, the event and the project pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns.models import Concern
from naboskap.risk import selectors, services
from naboskap.risk.presets import preset_content
from naboskap.risk.tests.factories import fill_analysis, make_analysis, score
from naboskap.testing.factories import make_concern

LEVELS = {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 2}


def link(project, event, count, *, days_ago=10, **fields):
    for _n in range(count):
        concern = make_concern(project, **fields)
        Concern.objects.filter(pk=concern.pk).update(
            unwanted_event=event, created_at=timezone.now() - timedelta(days=days_ago)
        )


@pytest.fixture
def event(world):
    analysis = make_analysis(world.project)
    event = services.event_create(analysis=analysis, title="Støy fra uteområdet om natta")
    return score(event, 2, LEVELS)


@pytest.mark.parametrize(
    ("preset", "size", "count", "level"),
    [
        ("nabolag", 5, 0, None),
        ("nabolag", 5, 1, 2),
        ("nabolag", 5, 2, 3),
        ("nabolag", 5, 12, 4),
        ("nabolag", 5, 60, 5),
        ("nabolag", 4, 13, 4),
        ("dsb", 5, 1, 5),
        ("dsb", 4, 1, 4),
    ],
)
def test_counts_per_year_map_onto_the_probability_levels(preset, size, count, level):
    class Level:
        def __init__(self, data):
            self.value = data["value"]
            self.observed_per_year_from = data["observed_per_year_from"]

    levels = [Level(data) for data in preset_content(preset, size)["probability"]]
    assert selectors.observed_level(count, levels) == level


def test_an_event_observed_more_often_than_assessed_is_flagged(world, en, event):
    analysis = event.analysis
    link(world.project, event, 2)  # a few times a year: level 3 > 2
    link(world.project, event, 5, days_ago=400)  # too old to count
    html = en["coordinator"].get(analysis.get_absolute_url()).content.decode()
    assert "Re-assess" in html
    html = en["coordinator"].get(event.get_absolute_url()).content.decode()
    assert "2 concerns linked to this event in the last 12 months put its observed" in html
    assert "level 3 (Moderat sannsynlig), higher than the assessed level 2" in html
    html = en["coordinator"].get(reverse("projects:detail", args=[world.project.pk])).content
    # Once, in the risk profile of the project's header, with a link to the event.
    assert html.decode().count("1 event to re-assess") == 1
    assert f'href="{event.get_absolute_url()}">{event.number}. {event.title}</a>' in html.decode()


def test_an_event_observed_at_its_assessed_level_is_not_flagged(world, en, event):
    link(world.project, event, 1)  # once: level 2, as assessed
    html = en["coordinator"].get(event.analysis.get_absolute_url()).content.decode()
    assert "Re-assess" not in html
    html = en["coordinator"].get(event.get_absolute_url()).content.decode()
    assert "1 concern linked to this event in the last 12 months." in html
    project = en["coordinator"].get(reverse("projects:detail", args=[world.project.pk]))
    assert "to re-assess" not in project.content.decode()


def test_concerns_linked_to_an_earlier_revision_count_too(world, en, event):
    analysis = event.analysis
    link(world.project, event, 2)
    for status in ("review", "approved"):
        services.analysis_change_status(analysis=analysis, to_status=status, changed_by=None)
    revision = services.analysis_revise(analysis=analysis, created_by=None)
    copy = revision.events.get()
    link(world.project, copy, 1)
    html = en["coordinator"].get(copy.get_absolute_url()).content.decode()
    assert "3 concerns linked to this event" in html
    flagged = selectors.events_to_reassess(world.project)
    assert [e.pk for e, _seen in flagged] == [copy.pk]  # the newest revision only


def test_cancelled_concerns_do_not_count(world, event):
    link(world.project, event, 3)
    Concern.objects.update(status="cancelled")
    assert selectors.events_to_reassess(world.project) == []


@pytest.mark.parametrize("events", [3, 60])
def test_the_pages_with_flags_do_not_grow_queries(world, en, events, django_assert_max_num_queries):
    analysis = make_analysis(world.project)
    made = fill_analysis(analysis, events)
    for event in made[:3]:
        link(world.project, event, 60)
    with django_assert_max_num_queries(24, info="analysis"):
        response = en["coordinator"].get(analysis.get_absolute_url())
    assert response.content.decode().count("Re-assess") >= 2
    with django_assert_max_num_queries(24, info="project"):
        response = en["coordinator"].get(reverse("projects:detail", args=[world.project.pk]))
    assert "3 events to re-assess" in response.content.decode()
