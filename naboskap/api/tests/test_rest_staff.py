"""The REST API's staff part by token (ADR 0031): a token acts as its user with the user's
access and no more, within its scopes; expired and revoked tokens are refused; the concern
endpoints go through the pages' access helpers, forms and services (404 outside the user's
reach, access logged), and `Idempotency-Key` makes a repeated write happen once."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.utils import timezone

from naboskap.api import services as api_services
from naboskap.api.models import ApiToken
from naboskap.concerns.models import Concern, Message
from naboskap.concerns.workflow import Status
from naboskap.outbox.models import Email
from naboskap.testing.factories import make_concern

BASE = "/api/v1/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def open_limits(settings):
    settings.RATELIMIT_ENABLE = False


def token_for(user, scopes=("concerns:read", "concerns:write"), days=30) -> str:
    _token, raw = api_services.token_create(
        user=user,
        name="Sak/arkiv",
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw


def api(raw: str | None, method: str, path: str, data=None, **headers):
    if raw:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client = Client()
    if method == "get":
        return client.get(BASE + path, **headers)
    return client.post(BASE + path, data=data, content_type="application/json", **headers)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


@pytest.fixture
def concern(world):
    return make_concern(world.project, reporter_name="Kari Nabo", reporter_email="kari@example.com")


def test_without_a_token_the_staff_endpoints_answer_401_with_the_scheme(world, concern):
    response = api(None, "get", "concerns/")
    body = problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert body["title"] == "Autentisering trengs" or body["title"]


def test_a_coordinator_lists_and_reads_their_concern_and_it_is_logged(world, concern):
    raw = token_for(world.users["coordinator"])
    listed = api(raw, "get", "concerns/")
    assert listed.status_code == 200, listed.content
    rows = listed.json()["results"]
    assert [row["reference"] for row in rows] == [concern.reference]
    assert rows[0]["summary"].startswith("Høy musikk") and rows[0]["project"] == "lindeveien"
    detail = api(raw, "get", f"concerns/{concern.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["description"] == concern.description
    assert body["reporter"]["email"] == "kari@example.com"  # the coordinator may see it
    logged = LogEntry.objects.filter(
        object_pk=str(concern.pk), action=LogEntry.Action.ACCESS
    ).order_by("pk")
    assert [entry.actor for entry in logged] == [world.users["coordinator"]] * 2
    assert logged[0].additional_data == {"seen": "api"}


@pytest.mark.parametrize("persona", ["outsider", "police", "politician", "case_handler"])
def test_who_may_not_see_a_concern_gets_404_and_an_empty_list(world, concern, persona):
    raw = token_for(world.users[persona])
    listed = api(raw, "get", "concerns/")
    assert listed.status_code == 200 and listed.json()["results"] == []
    problem(api(raw, "get", f"concerns/{concern.pk}/"), 404)
    problem(api(raw, "get", f"concerns/{concern.pk}/messages/"), 404)
    problem(
        api(raw, "post", f"concerns/{concern.pk}/messages/", {"kind": "internal", "body": "x"}),
        404,
    )
    assert not LogEntry.objects.filter(
        object_pk=str(concern.pk), action=LogEntry.Action.ACCESS
    ).exists()


def test_a_read_token_cannot_write_and_a_token_without_the_area_cannot_read(world, concern):
    reader = token_for(world.users["coordinator"], scopes=["concerns:read"])
    assert api(reader, "get", f"concerns/{concern.pk}/").status_code == 200
    body = problem(
        api(reader, "post", f"concerns/{concern.pk}/messages/", {"kind": "internal", "body": "x"}),
        403,
    )
    assert "endre" in body["detail"]
    assert not Message.objects.filter(concern=concern, kind="internal").exists()
    other_area = token_for(world.users["coordinator"], scopes=["measures:read"])
    problem(api(other_area, "get", "concerns/"), 403)


def test_expired_and_revoked_tokens_are_refused(world, concern):
    user = world.users["coordinator"]
    _expired, raw_expired = api_services.token_create(
        user=user, name="Gammel", scopes=["concerns:read"], expires_at=timezone.now()
    )
    body = problem(api(raw_expired, "get", "concerns/"), 401)
    assert "utløpt" in body["detail"]
    raw = token_for(user)
    token = ApiToken.objects.get(key_hash=api_services.hash_key(raw))
    assert api(raw, "get", "concerns/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    api_services.token_revoke(token=token)
    problem(api(raw, "get", "concerns/"), 401)
    problem(api("nbk_not-a-token", "get", "concerns/"), 401)
    user.is_active = False
    user.save()
    problem(api(token_for(user), "get", "concerns/"), 401)


def test_the_inbox_filters_apply_and_a_wrong_filter_is_a_translated_problem(world, concern):
    raw = token_for(world.users["coordinator"])
    closed = make_concern(world.project, description="Søppel ved containeren.")
    closed.status = Status.CLOSED
    closed.save()
    assert [r["id"] for r in api(raw, "get", "concerns/").json()["results"]] == [concern.pk]
    both = api(raw, "get", "concerns/?show=all&sort=created_at").json()["results"]
    assert [r["id"] for r in both] == [concern.pk, closed.pk]
    assert [
        r["id"] for r in api(raw, "get", "concerns/?q=containeren&show=all").json()["results"]
    ] == [closed.pk]
    body = problem(api(raw, "get", "concerns/?status=nonsense", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert "status" in body["errors"] and body["title"] == "The request is not valid"


def test_a_handler_answers_through_the_api_and_the_reporter_is_told(world, concern):
    raw = token_for(world.users["coordinator"])
    # Received cannot be answered at once (the workflow's table): the form says which may.
    early = {"to_status": "answered", "answer": "Svar"}
    assert (
        "to_status"
        in problem(api(raw, "post", f"concerns/{concern.pk}/transitions/", early), 400)["errors"]
    )
    acknowledged = api(
        raw, "post", f"concerns/{concern.pk}/transitions/", {"to_status": "acknowledged"}
    )
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
    missing = api(raw, "post", f"concerns/{concern.pk}/transitions/", {"to_status": "answered"})
    assert "answer" in problem(missing, 400)["errors"]
    response = api(
        raw,
        "post",
        f"concerns/{concern.pk}/transitions/",
        {"to_status": "answered", "answer": "Vi har snakket med beboerne."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "answered"
    concern.refresh_from_db()
    assert concern.status == Status.ANSWERED
    assert Message.objects.filter(concern=concern, kind="to_reporter").count() == 1
    messages = api(raw, "get", f"concerns/{concern.pk}/messages/").json()
    assert messages[-1]["body"] == "Vi har snakket med beboerne."
    assert messages[-1]["author"]["id"] == world.users["coordinator"].pk


@pytest.mark.django_db(transaction=True)
def test_idempotency_key_makes_a_repeated_message_happen_once(world, concern, tasks):
    raw = token_for(world.users["coordinator"])
    key = "svar-til-kari-0001"
    payload = {"kind": "to_reporter", "body": "Takk for meldingen."}
    first = api(raw, "post", f"concerns/{concern.pk}/messages/", payload, HTTP_IDEMPOTENCY_KEY=key)
    again = api(raw, "post", f"concerns/{concern.pk}/messages/", payload, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Message.objects.filter(concern=concern, kind="to_reporter").count() == 1
    tasks()
    message = Message.objects.get(concern=concern, kind="to_reporter")
    told = Email.objects.filter(key__startswith=f"concern-message:{message.pk}:")
    assert [(email.to, email.status) for email in told] == [("kari@example.com", "sent")]
    assert len([m for m in mail.outbox if m.to == ["kari@example.com"]]) == 2  # receipt too
    changed = api(
        raw,
        "post",
        f"concerns/{concern.pk}/messages/",
        {**payload, "body": "Noe annet"},
        HTTP_IDEMPOTENCY_KEY=key,
    )
    problem(changed, 422)
    problem(
        api(raw, "post", f"concerns/{concern.pk}/messages/", payload, HTTP_IDEMPOTENCY_KEY="kort"),
        400,
    )


def test_assignment_is_checked_by_the_same_rules_as_the_page(world, concern):
    raw = token_for(world.users["coordinator"])
    unit = world.project.responsible_unit
    politician = world.users["politician"]
    refused = api(
        raw,
        "post",
        f"concerns/{concern.pk}/assignment/",
        {"unit": unit.pk, "handler": politician.pk},
    )
    assert "handler" in problem(refused, 400)["errors"]
    done = api(raw, "post", f"concerns/{concern.pk}/assignment/", {"unit": unit.pk})
    assert done.status_code == 200, done.content
    assert done.json()["assigned_unit"] == {"id": unit.pk, "name": unit.name}
    assert Concern.objects.get(pk=concern.pk).assigned_unit == unit


def test_the_detail_has_an_etag_and_answers_304(world, concern):
    raw = token_for(world.users["coordinator"])
    first = api(raw, "get", f"concerns/{concern.pk}/")
    etag = first["ETag"]
    assert etag
    again = api(raw, "get", f"concerns/{concern.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


@pytest.mark.parametrize("persona", ["coordinator", "facility_staff", "case_handler", "police"])
def test_the_api_and_the_page_give_the_same_answer(world, persona):
    from naboskap.conftest import client_for

    concerns = [
        make_concern(world.project, description=f"Sak nummer {n}: bråk om natten.")
        for n in range(3)
    ]
    user = world.users[persona]
    raw = token_for(user)
    page_client = client_for(user)
    listed = {row["id"] for row in api(raw, "get", "concerns/").json()["results"]}
    for concern in concerns:
        page = page_client.get(f"/app/meldinger/{concern.pk}/")
        answer = api(raw, "get", f"concerns/{concern.pk}/")
        assert (page.status_code == 200) == (answer.status_code == 200) == (concern.pk in listed)
        if answer.status_code == 200:
            body = answer.json()
            html = page.content.decode()
            for shown in (body["reference"], body["description"], body["status_label"]):
                assert shown in html
        else:
            assert page.status_code in {403, 404} and answer.status_code == 404
    # The coordinator and the project's facility staff see all three; the others none.
    assert len(listed) == (3 if persona in {"coordinator", "facility_staff"} else 0)


def test_each_token_has_its_own_rate_limit(world, concern, settings):
    settings.RATELIMIT_ENABLE = True
    settings.API_TOKEN_RATE = "3/m"
    busy = token_for(world.users["coordinator"])
    calm = token_for(world.users["coordinator"])
    assert [api(busy, "get", "concerns/").status_code for _ in range(3)] == [200] * 3
    refused = api(busy, "get", "concerns/")
    problem(refused, 429)
    assert int(refused["Retry-After"]) == 60
    assert api(calm, "get", "concerns/").status_code == 200  # another token: its own count


def test_reading_through_the_api_does_not_move_the_users_pages(world, concern):
    from naboskap.tenancy.models import Membership, Role
    from naboskap.tenancy.selectors import current_municipality

    user = world.users["coordinator"]
    Membership.objects.create(user=user, municipality=world.other_municipality, role=Role.ADMIN)
    away = make_concern(world.other_project)
    raw = token_for(user)
    before = current_municipality(user)
    elsewhere = away if before == world.municipality else concern
    assert api(raw, "get", f"concerns/{elsewhere.pk}/").status_code == 200
    assert current_municipality(type(user).objects.get(pk=user.pk)) == before


@pytest.mark.parametrize("endpoint", ["transitions", "assignment", "messages"])
def test_a_body_that_is_not_an_object_is_a_problem_not_an_error(world, concern, endpoint):
    raw = token_for(world.users["coordinator"])
    body = problem(api(raw, "post", f"concerns/{concern.pk}/{endpoint}/", ["to_status"]), 400)
    assert body["errors"]
