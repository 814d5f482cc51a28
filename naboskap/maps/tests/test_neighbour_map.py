"""The neighbour list's map: the radius tried by dragging answers from the register without
saving anything, in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.stakeholders import services
from naboskap.stakeholders.models import NeighbourList
from naboskap.stakeholders.tests.factories import make_addresses_around


@pytest.fixture
def sited(world):
    world.project.latitude, world.project.longitude = Decimal("69.65"), Decimal("18.95")
    world.project.save()
    make_addresses_around(world.municipality, 69.65, 18.95, 30, within_m=300)
    return world.project


def preview(client, project, radius):
    url = reverse("stakeholders:neighbour_preview", args=[project.pk])
    return client.get(url, {"radius_m": radius})


def test_dragging_the_radius_previews_the_addresses_without_saving(sited, world):
    coordinator = english(world.users["coordinator"])
    small, large = preview(coordinator, sited, 100), preview(coordinator, sited, 300)
    assert small.status_code == large.status_code == 200
    assert small.json()["count"] == 10 and large.json()["count"] == 30
    assert small.json()["text"] == "10 addresses within 100 m. Compute to save the list."
    assert len(large.json()["points"]) == 30
    assert all(69.6 < lat < 69.7 and 18.9 < lon < 19.0 for lat, lon in large.json()["points"])
    assert not NeighbourList.objects.exists()


@pytest.mark.parametrize(("radius", "status"), [("5", 400), ("abc", 400), ("", 400)])
def test_a_bad_radius_is_explained(sited, world, radius, status):
    response = preview(english(world.users["coordinator"]), sited, radius)
    assert response.status_code == status
    assert response.json()["error"]


def test_without_a_site_the_preview_says_why(world):
    response = preview(english(world.users["coordinator"]), world.project, 200)
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_preview_takes_the_same_queries_for_few_and_many_addresses(
    sited, world, django_assert_num_queries, django_assert_max_num_queries
):
    coordinator = english(world.users["coordinator"])
    preview(coordinator, sited, 50)  # the session and the project are warm
    with django_assert_max_num_queries(6) as few:  # one fewer with Redis as the cache
        preview(coordinator, sited, 50)
    with django_assert_num_queries(len(few.captured_queries)):
        preview(coordinator, sited, 300)


def test_the_list_page_shows_the_map_with_the_radius_and_a_slider(sited, world):
    services.neighbour_list_compute(project=sited, radius_m=200)
    page = english(world.users["coordinator"]).get(
        reverse("stakeholders:neighbour_list", args=[sited.pk])
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="map-neighbours-config"' in body
    assert 'type="range" id="map-neighbours-slider"' in body
    assert "Try another radius on the map" in body
    # A reader who may not compute the list sees the map without the slider.
    police = english(world.users["police"]).get(
        reverse("stakeholders:neighbour_list", args=[sited.pk])
    )
    assert police.status_code == 200
    assert 'id="map-neighbours-config"' in police.content.decode()
    assert "map-neighbours-slider" not in police.content.decode()
