"""The risk matrices (SVG with a table beside) and the cost of the analysis pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from naboskap.risk import services
from naboskap.risk.tests.factories import AFTER, fill_analysis, make_analysis, score


@pytest.fixture
def analysis(world):
    analysis = make_analysis(world.project)
    noise = services.event_create(analysis=analysis, title="Støy om natta")
    score(noise, 4, {"liv_helse": 1, "trygghet": 4, "materielle": 1, "tillit": 2})
    score(noise, 2, {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 1}, stage=AFTER)
    fire = services.event_create(analysis=analysis, title="Brann i fellesarealet")
    score(fire, 1, {"liv_helse": 5, "trygghet": 3, "materielle": 4, "tillit": 3})
    services.event_create(analysis=analysis, title="Ikke vurdert ennå")
    return analysis


def svg(html: str, key: str, stage: str) -> str:
    start = html.index(f'aria-labelledby="{key}-{stage}-title')
    return html[start : html.index("</svg>", start)]


def cells_with_events(block: str) -> dict:
    found = re.findall(
        r'data-probability="(\d)" data-consequence="(\d)" data-colour="(\w+)" '
        r'data-events="([\d ]*)"',
        block,
    )
    return {(int(p), int(c)): (colour, events) for p, c, colour, events in found if events}


def test_events_are_in_the_right_cells_per_dimension_and_overall(world, analysis, en):
    url = reverse("risk:matrix", args=[world.project.pk, analysis.pk])
    response = en["politician"].get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert cells_with_events(svg(html, "trygghet", "before")) == {
        (4, 4): ("red", "1"),
        (1, 3): ("green", "2"),
    }
    assert cells_with_events(svg(html, "liv_helse", "before")) == {
        (4, 1): ("green", "1"),
        (1, 5): ("yellow", "2"),
    }
    # Overall: each event at its worst cell (noise: 4×4 red; fire: 1×5 yellow).
    assert cells_with_events(svg(html, "overall", "before")) == {
        (4, 4): ("red", "1"),
        (1, 5): ("yellow", "2"),
    }
    assert cells_with_events(svg(html, "overall", "after")) == {(2, 2): ("green", "1")}
    # Every dimension has its matrix, with a title and description, and colour in words.
    for key in ["overall", "liv_helse", "trygghet", "materielle", "tillit", "natur_miljo"]:
        block = svg(html, key, "before")
        assert f'<title id="{key}-before-title">' in block
        assert f'<desc id="{key}-before-desc">' in block
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 12
    assert ">Red</text>" in svg(html, "overall", "before")


def test_the_table_beside_the_matrix_has_the_same_data(world, analysis, en):
    html = en["coordinator"].get(reverse("risk:matrix", args=[world.project.pk, analysis.pk]))
    html = html.content.decode()
    table = html[html.index('id="table-trygghet"') :]
    table = table[: table.index("</table>")]
    rows = re.sub(r"\s+", " ", table)
    assert re.search(r"Støy om natta</a></th> <td><span[^>]*>Red</span> <span[^>]*>P4 × C4", rows)
    assert re.search(r"Brann i fellesarealet</a></th> <td><span[^>]*>Green</span>", rows)
    assert re.search(r"Ikke vurdert ennå</a></th> <td><span class=\"meta\">Not scored", rows)


def test_many_events_in_one_cell_show_a_count(world, en):
    analysis = make_analysis(world.project)
    fill_analysis(analysis, 60)
    html = en["coordinator"].get(reverse("risk:matrix", args=[world.project.pk, analysis.pk]))
    assert re.search(r">\+\d+</text>", html.content.decode())


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["risk:analysis_detail", "risk:matrix"])
def test_queries_are_the_same_with_10_and_200_events(
    world, en, name, django_assert_max_num_queries
):
    client = en["coordinator"]
    analysis = make_analysis(world.project)
    fill_analysis(analysis, 10)
    url = reverse(name, args=[world.project.pk, analysis.pk])
    client.get(url)  # the session and caches are warm
    small = count_queries(client, url)
    fill_analysis(analysis, 190)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count("Hendelse nummer 200") >= 1
    assert small <= 21  # the analysis page says where it is archived: one query


def test_the_event_page_and_diff_cost_the_same_with_more_events(world, en):
    client = en["coordinator"]
    analysis = make_analysis(world.project)
    fill_analysis(analysis, 10)
    for to in ["review", "approved"]:
        services.analysis_change_status(analysis=analysis, to_status=to, changed_by=None)
    revision = services.analysis_revise(analysis=analysis, created_by=None)
    diff = reverse("risk:analysis_diff", args=[world.project.pk, revision.pk])
    client.get(diff)
    small = count_queries(client, diff)
    fill_analysis(revision, 100)
    assert count_queries(client, diff) == small


def test_the_analysis_list_costs_the_same_with_more_analyses(
    world, en, django_assert_max_num_queries
):
    client = en["politician"]
    url = reverse("risk:analysis_list", args=[world.project.pk])
    make_analysis(world.project, title="Første")
    client.get(url)
    small = count_queries(client, url)
    for n in range(12):
        make_analysis(world.project, title=f"Analyse {n}")
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert "Analyse 11" in response.content.decode()
