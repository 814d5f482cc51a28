"""Kartverket's address API as the address source, behind the same interface as the imported
register: tested against an HTTP server of the test's own on this machine that answers as the
API does (the tests never call Kartverket)."""

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from naboskap.conftest import closed_port
from naboskap.maps import coordinates
from naboskap.stakeholders import services, sources
from naboskap.stakeholders.models import Address
from naboskap.testing.servers import QuietHandler, local_server

SITE = (69.65, 18.95)


def answer_row(number, lat, lon, *, kommune, lokalid=None, street="Lindeveien"):
    return {
        "adressenavn": street,
        "adressetekst": f"{street} {number}",
        "nummer": number,
        "bokstav": "",
        "postnummer": "9999",
        "poststed": "FJORDBY",
        "kommunenummer": kommune,
        "lokalid": lokalid or f"{kommune}-{street}-{number}",
        "representasjonspunkt": {"epsg": "EPSG:4258", "lat": lat, "lon": lon},
    }


@pytest.fixture
def api(world, settings):
    """An address API on a free port: /punktsok gives addresses at 50, 120 and 400 m from the
    site and one of another municipality; /sok gives what matches the text."""
    number = world.municipality.number
    near = [
        answer_row(2, *coordinates.offset(*SITE, 90, 50), kommune=number),
        answer_row(4, *coordinates.offset(*SITE, 180, 120), kommune=number),
        answer_row(6, *coordinates.offset(*SITE, 0, 400), kommune=number),
        answer_row(1, *coordinates.offset(*SITE, 270, 60), kommune="9999", street="Annenveien"),
    ]
    asked = []

    class Api(QuietHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            asked.append((parts.path, query))
            if parts.path.endswith("/punktsok"):
                radius = float(query["radius"][0])
                lat, lon = float(query["lat"][0]), float(query["lon"][0])
                rows = [
                    row
                    for row in near
                    if coordinates.distances_m(
                        lat,
                        lon,
                        [row["representasjonspunkt"]["lat"]],
                        [row["representasjonspunkt"]["lon"]],
                    )[0]
                    <= radius
                ]
            else:
                text = query["sok"][0].lower()
                rows = [row for row in near if row["adressetekst"].lower().startswith(text)]
            self.answer(json.dumps({"metadata": {}, "adresser": rows}).encode(), "application/json")

    with local_server(Api) as base:
        settings.ADDRESS_SOURCE = "naboskap.stakeholders.sources.KartverketSource"
        settings.ADDRESS_API_URL = f"{base}/adresser/v1"
        yield asked


def test_the_neighbour_list_is_made_from_the_api_and_kept_in_the_register(world, api):
    project = world.project
    project.latitude, project.longitude = Decimal(str(SITE[0])), Decimal(str(SITE[1]))
    project.save()
    neighbour_list = services.neighbour_list_compute(project=project, radius_m=200)
    kept = sorted(str(e.address) for e in neighbour_list.entries.select_related("address"))
    assert kept == ["Lindeveien 2", "Lindeveien 4"]  # within 200 m, of this municipality
    assert Address.objects.filter(municipality=world.municipality).count() == 2
    assert not Address.objects.filter(street="Annenveien").exists()
    path, query = api[0]
    assert path == "/adresser/v1/punktsok" and query["radius"] == ["200"]
    # Asking again updates the same rows: no duplicates.
    services.neighbour_list_compute(project=project, radius_m=200)
    assert Address.objects.filter(municipality=world.municipality).count() == 2


def test_search_asks_the_api_for_the_municipality(world, api):
    found = sources.address_source().search(municipality=world.municipality, text="lindeveien 4")
    assert [str(a) for a in found] == ["Lindeveien 4"]
    path, query = api[-1]
    assert path == "/adresser/v1/sok"
    assert query["kommunenummer"] == [world.municipality.number]


def test_a_service_that_does_not_answer_is_said_in_words(world, settings):
    settings.ADDRESS_SOURCE = "naboskap.stakeholders.sources.KartverketSource"
    settings.ADDRESS_API_URL = f"http://127.0.0.1:{closed_port()}/adresser/v1"
    with pytest.raises(ValidationError) as refused:
        sources.address_source().search(municipality=world.municipality, text="Lindeveien")
    assert "did not answer" in str(refused.value)


def test_the_neighbour_list_page_says_so_when_the_service_is_down(world, settings):
    from django.urls import reverse

    from naboskap.conftest import english

    settings.ADDRESS_SOURCE = "naboskap.stakeholders.sources.KartverketSource"
    settings.ADDRESS_API_URL = f"http://127.0.0.1:{closed_port()}/adresser/v1"
    project = world.project
    project.latitude, project.longitude = Decimal(str(SITE[0])), Decimal(str(SITE[1]))
    project.save()
    coordinator = english(world.users["coordinator"])
    computed = coordinator.post(
        reverse("stakeholders:neighbour_compute", args=[project.pk]), {"radius_m": "200"}
    )
    assert computed.status_code == 400
    assert "did not answer" in computed.content.decode()
    preview = coordinator.get(
        reverse("stakeholders:neighbour_preview", args=[project.pk]), {"radius_m": "200"}
    )
    assert preview.status_code == 400 and "did not answer" in preview.json()["error"]
