""" "What worked elsewhere" where a measure is made: on an unwanted event of a ROS analysis and
on the plan's new measure form; best evidence first; another municipality's anonymised and
only when both share; "Adopt" fills in the plan's new measure form."""

import html
import re

import pytest
from django.urls import reverse

from naboskap.concerns.models import Category
from naboskap.concerns.services import concern_link_event
from naboskap.conftest import english
from naboskap.plans.models import Measure
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.factories import ProjectFactory, make_concern
from naboskap.testing.queries import assert_queries_do_not_grow
from naboskap.whatworks.selectors import title_words
from naboskap.whatworks.tests.catalogue_factories import (
    EFFECT_LINE,
    done_with_effect,
    many_with_effects,
    share,
)

pytestmark = pytest.mark.django_db

HEADING = "What worked elsewhere"


@pytest.fixture
def other_project(world):
    return ProjectFactory(
        municipality=world.municipality,
        name="Bakkegata botiltak",
        kind="existing",
        dwellings_with_tenancy=12,
    )


@pytest.fixture
def event(world):
    """An unwanted event of Lindeveien's ROS analysis, with a noise concern linked to it."""
    analysis = make_analysis(world.project)
    event = risk_services.event_create(analysis=analysis, title="Støy om natta")
    concern_link_event(concern=make_concern(world.project, "noise"), unwanted_event=event)
    return event


def event_url(event) -> str:
    return reverse(
        "risk:event_detail",
        kwargs={
            "pk": event.analysis.project_id,
            "analysis_pk": event.analysis_id,
            "event_pk": event.pk,
        },
    )


def other_event(project, title: str):
    return risk_services.event_create(analysis=make_analysis(project), title=title)


def suggestions_part(body: str) -> str:
    start = body.index(HEADING)
    return body[start : body.index("</section>", start)]


def adopt_links(body: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*/tiltak/nytt/\?[^"]*)"', body)]


def test_the_event_page_suggests_what_worked_in_other_projects_best_evidence_first(
    world, other_project, event
):
    similar = other_event(other_project, "STØY fra hagen om kvelden")
    by_event = done_with_effect(
        other_project,
        title="Stille time etter klokka 22",
        codes=(),
        event=similar,
        kind="probability",
    )
    by_category = done_with_effect(
        other_project,
        title="Lydisolering av fellesrom",
        codes=("noise",),
        figures={"ratio_high": 0.5},
    )
    unsure = done_with_effect(
        other_project, title="Lapp i postkassene", codes=("noise",), too_little_data=True
    )
    done_with_effect(other_project, title="Ryddetur", codes=("litter",))  # addresses other things
    done_with_effect(world.project, title="Eget tiltak i Lindeveien", codes=("noise",))
    done_with_effect(  # concerns clearly rose after it: no suggestion
        other_project,
        title="Flere vektere",
        codes=("noise",),
        figures={"ratio": 2.5, "ratio_low": 1.4, "ratio_high": 4.0},
    )
    response = english(world.users["coordinator"]).get(event_url(event))
    assert response.status_code == 200
    part = suggestions_part(response.content.decode())
    assert "Measures that addressed Noise, or an unwanted event like “Støy om natta”." in part
    titles = [by_category.title, by_event.title, unsure.title]
    assert all(title in part for title in titles)
    assert [part.index(title) for title in titles] == sorted(part.index(t) for t in titles)
    assert "Ryddetur" not in part and "Eget tiltak i Lindeveien" not in part
    assert "Flere vektere" not in part
    assert EFFECT_LINE in part and "Too little data: concerns 2 → 1 per 90 days" in part
    assert "Bakkegata botiltak · Existing facility · 6–15 dwellings" in part
    assert f'href="{by_event.get_absolute_url()}"' in part
    assert "unwanted event “STØY fra hagen om kvelden”" in part
    assert len(adopt_links(part)) == 3


def test_adopt_fills_in_the_plans_new_measure_form_and_records_the_source(
    world, other_project, event
):
    similar = other_event(other_project, "Støy fra hagen")
    done_with_effect(
        other_project,
        title="Stille time etter klokka 22",
        codes=("noise", "traffic"),
        event=similar,
        kind="probability",
    )
    client = english(world.users["coordinator"])
    [link] = adopt_links(client.get(event_url(event)).content.decode())
    assert link.startswith(reverse("plans:measure_create", args=[world.project.pk]))
    form = client.get(link)
    assert form.status_code == 200
    body = form.content.decode()
    assert 'value="Stille time etter klokka 22"' in body
    assert re.search(r'<option value="probability"\s+selected', body)
    assert re.search(rf'<option value="{event.pk}"\s+selected', body)
    categories = dict(
        Category.objects.filter(municipality=world.municipality).values_list("code", "pk")
    )
    for code in ("noise", "traffic"):
        assert re.search(rf'value="{categories[code]}"[^>]*checked', body), code
    note = "Adopted from: Bakkegata botiltak – Stille time etter klokka 22"
    assert note in body
    # The suggestions are on the form too (by the event and its concerns' category).
    assert HEADING in body

    saved = client.post(
        link,
        {
            "title": "Stille time etter klokka 22",
            "description": note,
            "kind": "probability",
            "owner_unit": world.project.responsible_unit_id,
            "status": "planned",
            "progress": "0",
            "unwanted_event": event.pk,
            "categories": [categories["noise"], categories["traffic"]],
        },
    )
    assert saved.status_code == 302
    measure = Measure.objects.get(project=world.project, title="Stille time etter klokka 22")
    assert measure.description == note and measure.kind == "probability"
    assert measure.unwanted_event == event
    assert {c.code for c in measure.categories.all()} == {"noise", "traffic"}


def test_another_municipalitys_suggestions_only_when_both_share_and_anonymised(world, event):
    other = world.other_project
    other.name = "Annenvei omsorgsboliger"
    other.save()
    theirs_event = other_event(other, "Ola Nordmann roper støy i trappa")
    theirs = done_with_effect(
        other,
        title="Samtale med Ola om kveldene",
        codes=("noise",),
        event=theirs_event,
        kind="consequence",
    )
    client = english(world.users["coordinator"])
    part = suggestions_part(client.get(event_url(event)).content.decode())
    assert "No done measure elsewhere with an observed effect addresses this yet." in part
    share(world.other_municipality)  # they share, we do not: nothing
    part = suggestions_part(client.get(event_url(event)).content.decode())
    assert "Samtale med Ola" not in part and EFFECT_LINE not in part

    share(world.municipality)
    body = client.get(event_url(event)).content.decode()
    part = suggestions_part(body)
    assert "A measure of another municipality: consequence-reducing" in part
    assert EFFECT_LINE in part and "Addresses: Noise" in part
    assert "New build · 6–15 dwellings" in part
    for text in ["Samtale med Ola", "Annenvei", "Ola Nordmann", "roper", "Annenby"]:
        assert text not in body, text
    assert theirs.get_absolute_url() not in body
    [link] = adopt_links(part)
    assert "title=" not in link and "kind=consequence" in link and "category=noise" in link
    form = client.get(link).content.decode()
    assert (
        "Adopted from: a measure of another municipality (Noise, New build, 6–15 dwellings)" in form
    )
    assert "Samtale med Ola" not in form and "Annenvei" not in form


def test_their_event_titles_are_not_matched_only_their_categories(world, event):
    share(world.municipality, world.other_municipality)
    done_with_effect(
        world.other_project,
        title="Samtale",
        codes=("litter",),
        event=other_event(world.other_project, "Støy om natta"),
    )
    part = suggestions_part(
        english(world.users["coordinator"]).get(event_url(event)).content.decode()
    )
    assert "No done measure elsewhere" in part


def test_the_plans_form_suggests_by_the_source_concern_or_the_projects_concerns(
    world, other_project
):
    done_with_effect(other_project, title="Ryddetur hver mandag", codes=("litter",))
    done_with_effect(other_project, title="Lydisolering", codes=("noise",))
    client = english(world.users["coordinator"])
    url = reverse("plans:measure_create", args=[world.project.pk])
    # Nothing to go by: no section.
    assert HEADING not in client.get(url).content.decode()
    # The project's concerns of the last twelve months.
    make_concern(world.project, "noise")
    part = suggestions_part(client.get(url).content.decode())
    assert "reported in the last twelve months: Noise." in part
    assert "Lydisolering" in part and "Ryddetur" not in part
    # A source concern's category.
    concern = make_concern(world.project, "litter")
    part = suggestions_part(client.get(url, {"concern": concern.pk}).content.decode())
    assert "Measures that addressed Litter and syringes." in part
    assert "Ryddetur hver mandag" in part and "Lydisolering" not in part
    [link] = adopt_links(part)
    assert f"concern={concern.pk}" in link  # the source stays
    # Editing a measure shows none.
    measure = Measure.objects.get(title="Lydisolering")
    edit = reverse("plans:measure_edit", args=[other_project.pk, measure.pk])
    assert HEADING not in client.get(edit, {"category": "noise"}).content.decode()


def test_a_guess_that_finds_nothing_shows_no_section(world, other_project):
    done_with_effect(other_project, title="Lydisolering", codes=("noise",))
    make_concern(world.project, "traffic")  # what the neighbours reported: nothing worked yet
    client = english(world.users["coordinator"])
    response = client.get(reverse("plans:measure_create", args=[world.project.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="title"' in body and HEADING not in body


def test_choosing_a_routine_suggests_what_worked_for_what_the_neighbours_report(
    world, other_project
):
    done_with_effect(other_project, title="Ryddetur hver mandag", codes=("litter",))
    client = english(world.users["coordinator"])
    url = reverse("routines:project_routine", args=[world.project.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert HEADING not in response.content.decode()  # nothing reported yet: nothing to go by
    make_concern(world.project, "litter")
    part = suggestions_part(client.get(url).content.decode())
    assert "reported in the last twelve months: Litter and syringes." in part
    assert "Ryddetur hver mandag" in part and len(adopt_links(part)) == 1


@pytest.mark.parametrize("persona", ["politician", "police", "case_handler"])
def test_those_who_do_not_plan_see_no_suggestions(world, other_project, event, persona):
    done_with_effect(other_project, title="Lydisolering", codes=("noise",))
    response = english(world.users[persona]).get(event_url(event))
    assert response.status_code == 200
    body = response.content.decode()
    assert HEADING not in body and "Lydisolering" not in body


def test_the_words_of_a_title_that_count():
    assert title_words("Støy og bråk på natta fra hagen 22") == {"støy", "bråk", "natta", "hagen"}
    assert title_words("STØY") == title_words("støy")


def test_the_query_count_does_not_grow_with_the_measures(
    world, other_project, event, django_assert_num_queries
):
    share(world.municipality, world.other_municipality)
    many_with_effects(other_project, 2, codes=("noise",))
    response = assert_queries_do_not_grow(
        english(world.users["coordinator"]),
        event_url(event),
        lambda: (
            many_with_effects(other_project, 30, codes=("noise",)),
            many_with_effects(world.other_project, 30, codes=("noise",)),
        ),
        django_assert_num_queries,
    )
    assert len(adopt_links(suggestions_part(response.content.decode()))) == 5
