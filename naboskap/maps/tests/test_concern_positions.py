"""A place marked on a map with a concern: rounded before it is stored, named by the nearest
address, shown to the case handler, and refused with a message when it is not a place."""

import json
import re

import pytest
from django.urls import reverse

from naboskap.concerns.models import Concern
from naboskap.conftest import english
from naboskap.maps import geo
from naboskap.maps.coordinates import distances_m
from naboskap.portal.tests.test_concerns import report_data
from naboskap.stakeholders.tests.factories import make_address

# Near Lindeveien in the tests' Fjordby.
LAT, LON = 59.950512, 10.780143


def map_config(body: str, config_id: str) -> dict:
    found = re.search(rf'<script id="{config_id}" type="application/json">(.*?)</script>', body)
    assert found, f"no {config_id} on the page"
    return json.loads(found.group(1))


def test_a_position_is_rounded_to_the_centre_of_its_square(settings):
    settings.CONCERN_POSITION_ROUNDING_M = 50
    stored = geo.position_for_storing(LAT, LON)
    [moved] = distances_m(LAT, LON, [stored.latitude], [stored.longitude])
    assert 0 < moved <= 36  # within half the diagonal of a 50 m square
    # Another point in the same square is stored as the same place: a door cannot be told.
    neighbour = geo.position_for_storing(LAT + 0.00001, LON + 0.00001)
    assert neighbour == stored
    # A coarser setting moves it further.
    settings.CONCERN_POSITION_ROUNDING_M = 500
    coarse = geo.position_for_storing(LAT, LON)
    [moved] = distances_m(LAT, LON, [coarse.latitude], [coarse.longitude])
    assert coarse != stored and moved <= 354


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        (59.9, None, "Give both latitude and longitude, or neither."),
        (48.85, 2.35, "The place marked is not in Norway. Mark it again on the map."),
        (float("nan"), 10.0, "The place marked is not in Norway. Mark it again on the map."),
    ],
)
def test_half_a_position_or_one_abroad_is_refused(latitude, longitude, message):
    with pytest.raises(geo.PositionError) as refused:
        geo.position_checked(latitude, longitude)
    assert str(refused.value) == message
    assert geo.position_checked(None, None) is None


def test_a_neighbour_marks_the_place_and_the_handler_sees_it(world):
    response = english().post(
        reverse("portal:report"),
        report_data(world, latitude=str(LAT), longitude=str(LON), location=""),
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.latitude is not None and (concern.latitude, concern.longitude) != (LAT, LON)
    [moved] = distances_m(LAT, LON, [concern.latitude], [concern.longitude])
    assert moved <= 36

    handler = english(world.users["coordinator"])
    page = handler.get(reverse("concerns:detail", args=[concern.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Marked on the map" in body
    assert f"{concern.latitude:.5f}° N, {concern.longitude:.5f}° E (rounded to about 50 m)" in body
    config = map_config(body, "map-concern-config")
    assert config["centre"] == [concern.latitude, concern.longitude]
    assert config["features"][0]["kind"] == "concern"
    assert config["tiles"] == ""  # no tile server in the tests: shapes on a plain background


def test_a_concern_without_a_mark_has_no_map(world, persona_clients):
    english().post(reverse("portal:report"), report_data(world))
    concern = Concern.objects.get()
    assert concern.latitude is None and concern.location == "Hagen mot Lindeveien"
    page = persona_clients["coordinator"].get(reverse("concerns:detail", args=[concern.pk]))
    assert page.status_code == 200
    assert "Hagen mot Lindeveien" in page.content.decode()
    assert "map-concern-config" not in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"latitude": "59.95", "longitude": ""}, "Give both latitude and longitude, or neither."),
        ({"latitude": "48.85", "longitude": "2.35"}, "The place marked is not in Norway."),
        (
            {"latitude": "nord", "longitude": "10.78"},
            "The place marked on the map could not be read. Mark it again.",
        ),
    ],
)
def test_a_bad_mark_is_explained_and_nothing_typed_is_lost(world, fields, message):
    data = report_data(world, **fields, description="Knust glass ved bussholdeplassen.")
    response = english().post(reverse("portal:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Knust glass ved bussholdeplassen." in body
    assert 'name="latitude" value="' not in body.replace('name="latitude" value=""', "")
    assert not Concern.objects.exists()


def test_the_report_form_has_a_map_to_mark_the_place(world):
    response = english().get(reverse("portal:project_report", args=[world.project.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Where did it happen?" in body
    assert "stored rounded to about 50 metres" in body
    config = map_config(body, "map-report-config")
    assert config["picker"]["latitude"] == "latitude"
    assert config["picker"]["nearest"] == reverse("portal:nearest_address")
    assert 'type="hidden" name="latitude"' in body


def test_the_nearest_address_names_a_marked_place(world):
    make_address(world.municipality, LAT, LON, street="Lindeveien", number=14)
    make_address(world.other_municipality, LAT, LON, street="Annenveien", number=1)
    client = english()
    near = client.get(reverse("portal:nearest_address"), {"lat": LAT + 0.0002, "lon": LON})
    assert near.status_code == 200
    assert near.json() == {"address": "Lindeveien 14"}
    far = client.get(reverse("portal:nearest_address"), {"lat": LAT + 0.01, "lon": LON})
    assert far.status_code == 200 and far.json() == {"address": None}
    for query in ({"lat": "x", "lon": "10"}, {"lat": "48.8", "lon": "2.3"}, {}):
        bad = client.get(reverse("portal:nearest_address"), query)
        assert bad.status_code == 400
        assert bad.json()["address"] is None and bad.json()["error"]
