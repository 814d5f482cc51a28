"""The staff map of concerns: clusters per grid square for the filters and the zoom, in one
query whatever the number of concerns, and only what the person may handle."""

import pytest
from django.urls import reverse

from naboskap.concerns.map_views import cell_for_zoom
from naboskap.conftest import english
from naboskap.maps import coordinates
from naboskap.testing.factories import ProjectFactory, make_concern

SITE = (59.95, 10.78)


def marked(project, count, bearing, metres, code="noise"):
    lat, lon = coordinates.offset(*SITE, bearing, metres)
    return [make_concern(project, code, latitude=lat, longitude=lon) for _ in range(count)]


def layer(client, **query):
    return client.get(reverse("concerns:map_layer"), query)


def test_the_layer_clusters_by_zoom_and_filters(world):
    marked(world.project, 4, 0, 300)
    marked(world.project, 2, 180, 300, code="litter")
    coordinator = english(world.users["coordinator"])
    close = layer(coordinator, zoom=16)
    assert close.status_code == 200
    assert sorted(f["properties"]["count"] for f in close.json()["features"]) == [2, 4]
    far = layer(coordinator, zoom=10)
    assert [f["properties"]["count"] for f in far.json()["features"]] == [6]
    litter = world.municipality.concern_categories.get(code="litter")
    only = layer(coordinator, zoom=16, category=litter.pk)
    assert [f["properties"]["count"] for f in only.json()["features"]] == [2]


def test_the_layer_holds_only_what_the_person_may_handle(world):
    other = ProjectFactory(municipality=world.other_municipality)
    marked(other, 3, 90, 100)
    response = layer(english(world.users["coordinator"]), zoom=14)
    assert response.status_code == 200 and response.json()["features"] == []
    outsider = layer(english(world.users["outsider"]), zoom=14)
    assert [f["properties"]["count"] for f in outsider.json()["features"]] == [3]


@pytest.mark.parametrize("query", [{"zoom": "99"}, {"months": "0"}, {"category": "x"}])
def test_a_bad_filter_is_explained(world, query):
    response = layer(english(world.users["coordinator"]), **query)
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_layer_takes_the_same_queries_for_few_and_many(
    world, django_assert_num_queries, django_assert_max_num_queries
):
    coordinator = english(world.users["coordinator"])
    marked(world.project, 1, 0, 100)
    layer(coordinator, zoom=16)
    with django_assert_max_num_queries(8) as few:  # one fewer with Redis as the cache
        layer(coordinator, zoom=16)
    for bearing in range(0, 360, 20):
        marked(world.project, 2, bearing, 800)
    with django_assert_num_queries(len(few.captured_queries)):
        many = layer(coordinator, zoom=16)
    assert len(many.json()["features"]) > 10


def test_the_map_page_says_the_counts_in_words(world):
    world.project.latitude, world.project.longitude = SITE
    world.project.save()
    marked(world.project, 3, 90, 200)
    page = english(world.users["coordinator"]).get(reverse("concerns:map"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 concerns marked on the map" in body
    assert f"m E of {world.project.name}</td><td>3</td>" in body
    assert 'id="map-concerns-config"' in body


def test_cell_sizes_follow_the_zoom():
    assert cell_for_zoom(16) == 150
    assert cell_for_zoom(14) == 600
    assert cell_for_zoom(18) == 37
    assert cell_for_zoom(99) == cell_for_zoom(19)
