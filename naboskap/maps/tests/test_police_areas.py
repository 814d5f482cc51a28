"""The police's situation picture counts concerns per square of the grid: never a single
point, and a square with fewer than five is told as "under 5"."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from naboskap.concerns.models import Concern
from naboskap.conftest import english
from naboskap.maps import coordinates, grid
from naboskap.situation import selectors
from naboskap.situation.tests.helpers import END, SECRET_TEXT, START, at, police_concern

SITE = (69.65, 18.95)


@pytest.fixture
def sited(world):
    world.project.latitude, world.project.longitude = Decimal("69.65"), Decimal("18.95")
    world.project.save()
    return world.project


def concerns_at(project, count, bearing, metres, day=5):
    lat, lon = coordinates.offset(*SITE, bearing, metres)
    return [
        police_concern(project, "noise", at(day), latitude=lat, longitude=lon) for _ in range(count)
    ]


def config_of(body):
    found = re.search(r'<script id="map-areas-config" type="application/json">(.*?)</script>', body)
    assert found, "no map of areas on the page"
    return json.loads(found.group(1))


def test_concerns_are_counted_per_square_and_small_squares_say_under_5(sited, world, settings):
    settings.SITUATION_GRID_M = 250
    concerns_at(sited, 6, 45, 400)  # six 400 m north-east of the site
    concerns_at(sited, 2, 225, 600)  # two 600 m south-west
    cells = selectors.area_counts(sited, START, END)
    assert sorted(cell.count for cell in cells) == [2, 6]
    assert [cell.is_small for cell in cells] == [False, True]

    page = english(world.users["police"]).get(
        reverse("situation:picture", args=[sited.pk]) + "?fra=2026-03-02&til=2026-03-22"
    )
    assert page.status_code == 200
    body = page.content.decode()
    config = config_of(body)
    cells_drawn = [f for f in config["features"] if f["type"] == "cell"]
    assert sorted(f["label"] for f in cells_drawn) == ["6", "under 5"]
    # No single concern's position is on the page: only squares and the project's site.
    assert not [f for f in config["features"] if f["type"] == "point" and f["kind"] != "site"]
    positions = Concern.objects.filter(project=sited).values_list("latitude", "longitude")
    assert len(positions) == 8
    for latitude, longitude in positions:
        assert str(latitude) not in body and str(longitude) not in body
    assert SECRET_TEXT not in body
    # The table beside the map says the same in words.
    # Where each square's centre is from the site: 400 m NE, give or take half a square.
    found = re.search(r"<td>(\d+) m NE</td><td>6</td>", body)
    assert found and abs(int(found.group(1)) - 400) <= 180
    assert re.search(r"<td>\d+ m SW</td><td>under 5</td>", body)


def test_squares_are_counted_in_one_query_whatever_their_number(sited, django_assert_num_queries):
    concerns_at(sited, 3, 0, 300)
    with django_assert_num_queries(1):
        few = selectors.area_counts(sited, START, END)
    for bearing in range(0, 360, 30):
        concerns_at(sited, 2, bearing, 900)
    with django_assert_num_queries(1):
        many = selectors.area_counts(sited, START, END)
    assert len(few) == 1 and len(many) > 10


def test_where_from_gives_distance_and_compass_point():
    lat, lon = coordinates.offset(*SITE, 45, 400)
    assert grid.where_from(SITE, (lat, lon)) == (400, "NE")
    lat, lon = coordinates.offset(*SITE, 180, 120)
    assert grid.where_from(SITE, (lat, lon)) == (120, "S")
