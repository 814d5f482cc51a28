"""The catalogue of what worked (/app/hva-virker/): the municipality's done measures with
their observed effect, grouped, searched and paginated; the other sharing municipalities'
anonymised; for planners only; a fixed number of queries."""

import pytest
from django.urls import reverse

from naboskap.conftest import english, make_staff
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.tenancy.models import Role
from naboskap.testing.factories import ProjectFactory, make_measure
from naboskap.testing.queries import assert_queries_do_not_grow
from naboskap.whatworks import views
from naboskap.whatworks.tests.catalogue_factories import (
    EFFECT_LINE,
    done_with_effect,
    many_with_effects,
    share,
)

pytestmark = pytest.mark.django_db

URL = reverse("whatworks:catalogue")


def page(user, **params) -> tuple[int, str]:
    response = english(user).get(URL, params)
    return response.status_code, response.content.decode()


@pytest.fixture
def other_project(world):
    """A second project of Fjordby's, with 12 dwellings."""
    return ProjectFactory(
        municipality=world.municipality,
        name="Bakkegata botiltak",
        kind="existing",
        dwellings_with_tenancy=12,
    )


def test_it_lists_done_measures_with_their_effect_grouped_by_what_they_address(
    world, other_project
):
    measure = done_with_effect(
        world.project,
        title="Fast ryddetur hver mandag",
        figures={"survey_before": 3.1, "survey_after": 3.8},
    )
    analysis = make_analysis(other_project)
    event = risk_services.event_create(analysis=analysis, title="Støy fra hagen om natta")
    done_with_effect(
        other_project,
        title="Stille time etter klokka 22",
        codes=(),
        event=event,
        kind="probability",
        too_little_data=True,
    )
    make_measure(world.project, title="Planlagt tiltak uten effekt")
    status, body = page(world.users["coordinator"])
    assert status == 200
    assert "<h1" in body and "What works" in body
    # Grouped: the category, then the unwanted event.
    assert '<h2 class="ds-heading" data-size="sm" id="group-1">Litter and syringes</h2>' in body
    assert "Unwanted event: Støy fra hagen om natta" in body
    assert body.index("Litter and syringes</h2>") < body.index("Unwanted event: Støy")
    # The measure with its project, a link, the effect in words and the survey.
    assert f'href="{measure.get_absolute_url()}">Fast ryddetur hver mandag</a>' in body
    assert "Lindeveien" in body and "New build" in body and "6–15 dwellings" in body
    assert EFFECT_LINE in body
    assert "Survey 3.1 → 3.8 (too few responses for an interval)" in body
    # The other: "too little data", its type, project and size band.
    assert "Stille time etter klokka 22" in body and "Probability-reducing" in body
    assert "Too little data: concerns 2 → 1 per 90 days" in body
    assert "Bakkegata botiltak" in body and "Existing facility" in body
    assert "6–15 dwellings" in body
    assert "Planlagt tiltak uten effekt" not in body
    assert "2 measures with an observed effect" in body


def test_a_running_window_an_unbounded_interval_and_a_survey_interval_in_words(world):
    done_with_effect(
        world.project,
        title="Nabovandring",
        figures={
            "ratio_high": None,
            "survey_before": 3.0,
            "survey_after": 3.8,
            "survey_change_low": 0.2,
            "survey_change_high": 1.2,
        },
    )
    from naboskap.whatworks.models import Effect

    Effect.objects.update(after_days=45)
    _status, body = page(world.users["admin"])
    assert (
        "Concerns 12 in 90 days → 4 in the 45 days since, −67\u00a0% "
        "(95 % interval from −88\u00a0%, no upper bound)"
    ) in body
    assert "Survey 3.0 → 3.8 (95 % interval of the change +0.2 to +1.2)" in body


def test_it_searches_titles_categories_and_events_and_filters_by_category(world, other_project):
    done_with_effect(world.project, title="Fast ryddetur hver mandag", codes=("litter",))
    done_with_effect(other_project, title="Lydisolering av fellesrom", codes=("noise",))
    analysis = make_analysis(other_project)
    event = risk_services.event_create(analysis=analysis, title="Parkering i innkjørselen")
    done_with_effect(other_project, title="Skilting", codes=(), event=event)
    user = world.users["coordinator"]

    _status, body = page(user, q="ryddetur")
    assert "Fast ryddetur" in body and "Lydisolering" not in body and "Skilting" not in body
    _status, body = page(user, q="noise")  # a category's code
    assert "Lydisolering" in body and "Fast ryddetur" not in body
    _status, body = page(user, q="syringes")  # a category's name
    assert "Fast ryddetur" in body and "Lydisolering" not in body
    _status, body = page(user, q="innkjørselen")  # an unwanted event's title
    assert "Skilting" in body and "Fast ryddetur" not in body
    _status, body = page(user, category="noise")
    assert "Lydisolering" in body and "Fast ryddetur" not in body and "Skilting" not in body
    assert "1 measure with an observed effect" in body
    _status, body = page(user, q="finnes ikke")
    assert "No measure matches." in body


def test_a_project_coordinator_sees_the_others_projects_measures_but_links_only_its_own(
    world, other_project
):
    own = done_with_effect(world.project, title="Fast ryddetur hver mandag")
    other = done_with_effect(other_project, title="Lydisolering av fellesrom", codes=("noise",))
    narrowed = make_staff(world.municipality, Role.COORDINATOR, project=world.project)
    status, body = page(narrowed)
    assert status == 200
    assert f'href="{own.get_absolute_url()}"' in body
    assert "Lydisolering av fellesrom" in body
    assert other.get_absolute_url() not in body


@pytest.mark.parametrize(
    "persona", ["case_handler", "facility_staff", "police", "politician", "archivist"]
)
def test_those_who_do_not_plan_are_refused(world, persona, persona_clients):
    done_with_effect(world.project)
    response = persona_clients[persona].get(URL)
    assert response.status_code == 403
    assert "Fast ryddetur" not in response.content.decode()


def test_the_anonymous_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_another_municipality_never_shows_unless_both_share(world):
    other = world.other_project
    done_with_effect(other, title="Annenbys hemmelige tiltak", codes=("noise",))
    coordinator = world.users["coordinator"]
    _status, body = page(coordinator)
    assert "Annenbys hemmelige tiltak" not in body and "Other municipalities" not in body
    _status, body = page(coordinator, scope="shared")  # no tab without sharing
    assert "Annenbys hemmelige tiltak" not in body
    # Only Fjordby shares: Annenby's measures are still not shown.
    share(world.municipality)
    _status, body = page(coordinator, scope="shared")
    assert "No other municipality shares an observed effect yet." in body
    # Annenby's coordinator sees nothing of Fjordby's, shared or not.
    done_with_effect(world.project, title="Fjordbys tiltak")
    _status, body = page(world.users["outsider"])
    assert "Fjordbys tiltak" not in body


def test_shared_measures_show_figures_and_nothing_written_in_words(world):
    share(world.municipality, world.other_municipality)
    other = world.other_project
    other.name = "Annenvei omsorgsboliger"
    other.dwellings_with_tenancy = 40
    other.save()
    analysis = make_analysis(other)
    event = risk_services.event_create(analysis=analysis, title="Ola Nordmann roper i trappa")
    theirs = done_with_effect(
        other,
        title="Samtale med Ola om kveldene",
        description="Intern beskrivelse fra Annenby",
        codes=("noise",),
        event=event,
        kind="consequence",
        figures={"survey_before": 2.5, "survey_after": 3.5},
    )
    done_with_effect(world.project, title="Fjordbys eget tiltak")
    coordinator = world.users["coordinator"]
    status, body = page(coordinator)
    assert status == 200 and "Fjordbys eget tiltak" in body
    assert "Samtale med Ola" not in body
    status, body = page(coordinator, scope="shared")
    assert status == 200
    assert 'aria-current="page">Other municipalities (anonymised)' in body
    # The figures and what may be shared.
    assert EFFECT_LINE in body and "Survey 2.5 → 3.5" in body
    assert 'scope="row">Consequence-reducing</th>' in body
    assert 'data-label="Addresses">Noise</td>' in body
    assert "New build" in body and "more than 30 dwellings" in body
    # Nothing written in words: no title, project, event, description, or own measures.
    for text in ["Samtale med Ola", "Annenvei", "Ola Nordmann", "Intern beskrivelse", "Annenby"]:
        assert text not in body, text
    assert "Fjordbys eget tiltak" not in body
    assert theirs.get_absolute_url() not in body
    # Their words are not searchable either (no oracle), but the categories are.
    _status, body = page(coordinator, scope="shared", q="Ola")
    assert "No measure matches." in body
    _status, body = page(coordinator, scope="shared", q="noise")
    assert EFFECT_LINE in body


def test_the_catalogue_is_paginated(world, settings):
    many_with_effects(world.project, views.PAGE_SIZE + 3)
    client = english(world.users["coordinator"])
    first = client.get(URL).content.decode()
    assert f"{views.PAGE_SIZE + 3} measures with an observed effect" in first
    assert "Page 1 of 2" in first
    second = client.get(URL, {"side": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert second.count('role="rowheader" scope="row">') == 3


@pytest.mark.parametrize("scope", ["own", "shared"])
def test_the_query_count_does_not_grow_with_the_measures(
    world, other_project, scope, django_assert_num_queries
):
    share(world.municipality, world.other_municipality)
    project = world.other_project if scope == "shared" else other_project
    many_with_effects(project, 3)
    response = assert_queries_do_not_grow(
        english(world.users["coordinator"]),
        URL,
        lambda: many_with_effects(project, 40, codes=("noise", "litter")),
        django_assert_num_queries,
        data={"scope": scope},
    )
    assert "43 measures with an observed effect" in response.content.decode()


def test_the_start_page_has_what_works_for_planners_only(world):
    home = reverse("insights:home")
    coordinator = english(world.users["coordinator"]).get(home).content.decode()
    assert f'href="{URL}"' in coordinator and "What works: measures that were done" in coordinator
    for persona in ["case_handler", "politician"]:
        body = english(world.users[persona]).get(home).content.decode()
        assert f'href="{URL}"' not in body


def test_the_administrator_finds_the_settings_and_the_export_there(world):
    url = reverse("whatworks:catalogue")
    admin = english(world.users["admin"]).get(url)
    assert admin.status_code == 200
    body = admin.content.decode()
    assert f'href="{reverse("whatworks:settings")}"' in body
    assert f'href="{reverse("whatworks:export")}"' in body
    coordinator = english(world.users["coordinator"]).get(url)
    assert coordinator.status_code == 200
    assert reverse("whatworks:export") not in coordinator.content.decode()
