"""Open311 POST with an `Idempotency-Key` header (issue 22, "faults survived"): a client that
retries a request whose answer it lost gets the same `service_request_id`, and one concern
is stored. The header works as the `idempotency_key` field does (the same key space)."""

import pytest
from django.test import Client

from naboskap.api.services import api_key_create
from naboskap.concerns.models import Concern

URL = "/open311/v2/requests.json"
KEY = "3f0c2a1e-6b8d-4c1f-9a7e-2d5b8c9e0f11"


@pytest.fixture
def api_key(world):
    _key, raw = api_key_create(municipality=world.municipality, name="Bymelding-appen")
    return raw


def send(api_key, header=None, **fields):
    data = {
        "api_key": api_key,
        "service_code": "noise",
        "description": "Høy musikk etter midnatt.",
        "attribute[project]": "lindeveien",
        "address_string": "Lindeveien 7",
        **fields,
    }
    headers = {"Idempotency-Key": header} if header is not None else {}
    return Client().post(URL, data, headers=headers)


def request_id(response) -> str:
    return response.json()[0]["service_request_id"]


def test_a_retry_with_the_same_header_gets_the_same_request(world, api_key):
    first = send(api_key, header=KEY)
    again = send(api_key, header=KEY, description="Sendt på nytt.")
    assert (first.status_code, again.status_code) == (201, 200)
    assert request_id(first) == request_id(again)
    assert "already been received" in again.json()[0]["service_notice"]
    assert Concern.objects.get().description == "Høy musikk etter midnatt."


def test_the_header_quoted_and_the_field_name_the_same_request(world, api_key):
    first = send(api_key, header=f'"{KEY}"')  # a structured-field string, as the draft writes it
    assert first.status_code == 201
    assert request_id(send(api_key, header=KEY)) == request_id(first)
    assert request_id(send(api_key, idempotency_key=KEY)) == request_id(first)
    assert request_id(send(api_key, header=KEY, idempotency_key=KEY)) == request_id(first)
    assert Concern.objects.count() == 1


@pytest.mark.parametrize(
    ("header", "field", "error"),
    [
        ("kort", "", "idempotency_key: Use 16 to 64 letters, digits, - or _."),
        (KEY, "another-key-0123456789", "The Idempotency-Key header and idempotency_key differ"),
    ],
)
def test_a_bad_or_contradicting_header_is_refused(world, api_key, header, field, error):
    fields = {"idempotency_key": field} if field else {}
    response = send(api_key, header=header, **fields)
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(error)
    assert not Concern.objects.exists()


def test_without_a_key_the_same_content_is_still_one_request(world, api_key):
    # Unchanged for clients that send no key: the content decides.
    assert request_id(send(api_key)) == request_id(send(api_key))
    assert send(api_key, header="").status_code == 200
    assert Concern.objects.count() == 1
