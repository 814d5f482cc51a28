"""Open311 as a standard GeoReport v2 client uses it, against a live server (issue 16).

The `georeport` package (PyPI) is a GeoReport v2 client for the reading side: the service
list, a service definition and a request's status. It has no operation to file a request
(nor has any other GeoReport client on PyPI that runs on Python 3: `open311` and `three` are
Python 2 only), so filing is a plain form-encoded POST with only the specification's own
fields, as any client sends it, through the standard library.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from georeport import GeoReport

from naboskap.api.services import api_key_create
from naboskap.concerns.models import Concern
from naboskap.testing.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def http_post(url: str, fields: dict) -> tuple[int, object]:
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def endpoint(world, live_server, settings):
    settings.RATELIMIT_ENABLE = False
    # Two public projects, one with coordinates: without the attribute, no project is guessed.
    world.project.latitude, world.project.longitude = "59.910000", "10.750000"
    world.project.save()
    ProjectFactory(municipality=world.municipality, slug="solbakken", name="Solbakken")
    _key, raw = api_key_create(municipality=world.municipality, name="Standardklient")
    return f"{live_server.url}/open311/v2", raw


def test_a_georeport_client_files_a_report_with_only_the_standard_fields(world, endpoint):
    root, api_key = endpoint
    client = GeoReport(root, api_key=api_key)
    services = client.get_service_list()
    noise = next(service for service in services if service["service_code"] == "noise")
    if noise["metadata"]:
        attributes = client.get_service_definition("noise")["attributes"]
        assert not [a for a in attributes if a.get("required")], "no required attribute"
    # Near Lindeveien: the nearest project. Only an address: the area in general.
    status, rows = http_post(
        f"{root}/requests.json",
        {
            "api_key": api_key,
            "service_code": "noise",
            "lat": "59.9101",
            "long": "10.7502",
            "description": "Høy musikk fra bakgården.",
            "email": "nabo@example.org",
            "first_name": "Kari",
        },
    )
    assert status == 201, rows
    reference = rows[0]["service_request_id"]
    status, rows = http_post(
        f"{root}/requests.json",
        {
            "api_key": api_key,
            "service_code": "litter",
            "address_string": "Torget 1",
            "description": "Sprøyter ved busstoppet.",
        },
    )
    assert status == 201, rows
    near, general = Concern.objects.order_by("pk")
    assert near.reference == reference and near.project == world.project
    assert general.project is None and general.location == "Torget 1"
    assert {c.intake_channel for c in (near, general)} == {Concern.IntakeChannel.OPEN311}
    # The client reads the request's public status back.
    found = client.get_service_request(reference)
    assert found["service_request_id"] == reference and found["status"] == "open"
    assert found["service_code"] == "noise"


def test_a_post_without_a_location_is_refused_in_the_specifications_format(world, endpoint):
    root, api_key = endpoint
    fields = {"api_key": api_key, "service_code": "noise", "description": "Uten sted."}
    status, body = http_post(f"{root}/requests.json", fields)
    assert status == 400
    assert body[0]["code"] == 400 and "location" in body[0]["description"]
    assert not Concern.objects.exists()
