"""The staff API's permission matrix: every persona, holding a token with every scope, ×
every concern endpoint × a concern of each municipality. A token gives its user's access and
no more: what the user may not see is 404 (its existence does not leak), as on the pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from naboskap.api import services as api_services
from naboskap.api.models import all_scopes
from naboskap.concerns.services import note_add
from naboskap.conftest import PERSONAS
from naboskap.tenancy.models import Unit
from naboskap.testing.factories import make_concern

BASE = "/api/v1/"

# Who sees a concern of Fjordby's project "lindeveien" that is with the unit "Helse og sosial":
# the municipality's administrator and coordinator, the project's facility staff, and the
# case handler of that unit; the police liaison and the politician never see concerns.
HOME = {"admin", "coordinator", "facility_staff", "case_handler"}
# …and one of Annenby's project: its coordinator only (the "outsider" of Fjordby).
AWAY = {"outsider"}

ENDPOINTS = {
    # name: (method, path, data, status when allowed)
    "detail": ("get", "concerns/{pk}/", None, 200),
    "messages": ("get", "concerns/{pk}/messages/", None, 200),
    "note": ("post", "concerns/{pk}/messages/", {"kind": "internal", "body": "Notat"}, 201),
    "transition": ("post", "concerns/{pk}/transitions/", {"to_status": "acknowledged"}, 200),
    "assignment": ("post", "concerns/{pk}/assignment/", {"unit": "{unit}"}, 200),
}


@pytest.fixture(autouse=True)
def open_limits(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def concerns(world):
    health = Unit.objects.get(municipality=world.municipality, name="Helse og sosial")
    home = make_concern(world.project, reporter_email="nabo@example.org")
    home.assigned_unit = health
    home.save(update_fields=["assigned_unit"])
    away = make_concern(world.other_project, reporter_email="nabo@example.org")
    for concern in (home, away):
        note_add(concern=concern, body="Ringt naboen.", author=None)
    return {"home": home, "away": away}


def client(world, persona) -> Client:
    headers = {}
    if persona != "anonymous":
        _token, raw = api_services.token_create(
            user=world.users[persona],
            name="Matrise",
            scopes=all_scopes(),
            expires_at=timezone.now() + timedelta(days=1),
        )
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return Client(**headers)


@pytest.mark.parametrize("where", ["home", "away"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_concern_endpoints(world, concerns, persona, endpoint, where):
    method, path, data, ok = ENDPOINTS[endpoint]
    concern = concerns[where]
    if data and data.get("unit") == "{unit}":
        data = {"unit": concern.assigned_unit_id}
    allowed = HOME if where == "home" else AWAY
    expected = 401 if persona == "anonymous" else ok if persona in allowed else 404
    url = BASE + path.format(pk=concern.pk)
    response = getattr(client(world, persona), method)(url, data, content_type="application/json")
    assert response.status_code == expected, f"{persona} {method} {url}: {response.content}"
    if expected in {200, 201}:
        body = response.json()
        assert body if isinstance(body, list) else body["id"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_holds_exactly_what_the_user_may_see(world, concerns, persona):
    response = client(world, persona).get(BASE + "concerns/")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    seen = {row["id"] for row in response.json()["results"]}
    expected = set()
    if persona in HOME:
        expected.add(concerns["home"].pk)
    if persona in AWAY:
        expected.add(concerns["away"].pk)
    assert seen == expected, persona
