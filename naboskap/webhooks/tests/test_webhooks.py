"""Webhooks against a real HTTP receiver on 127.0.0.1 (tests/receiver.py), run by the real
worker (`db_worker --batch`): signed deliveries that carry what the API shows the
integration user, nothing for a user who may not see it, retries with a growing pause,
failures in the administrator's log with a button to send again, once per event."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.api.services import token_create
from naboskap.conftest import client_for, run_tasks
from naboskap.lib import events
from naboskap.testing.factories import make_concern, make_measure
from naboskap.webhooks import delivery, services, signing
from naboskap.webhooks.models import Delivery, Endpoint
from naboskap.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def endpoint_for(world, receiver, user="coordinator", events_=None, **fields) -> Endpoint:
    endpoint, _secret = services.endpoint_create(
        municipality=fields.pop("municipality", world.municipality),
        name=fields.pop("name", f"Sak/arkiv ({user})"),
        url=receiver.url,
        events=events_ or [events.CONCERN_RECEIVED, events.CONCERN_STATUS_CHANGED],
        user=world.users[user],
    )
    return endpoint


def api_read(world, user: str, pk: int, path: str = "concerns") -> dict:
    """What GET /api/v1/concerns/<pk>/ (or another `path`) answers the user, with a token."""
    _token, raw = token_create(
        user=world.users[user],
        name="test",
        scopes=[f"{path}:read"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    response = client_for(None).get(
        f"/api/v1/{path}/{pk}/",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE=world.municipality.default_language,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_it_delivers_a_received_concern_signed_as_the_api_shows_it(world, receiver):
    endpoint = endpoint_for(world, receiver)

    concern = make_concern(world.project, reporter_email="nabo@example.org")
    run_tasks()

    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert received.headers["Content-Type"] == "application/json"
    assert signing.verify(endpoint.secret, received.headers, received.body)
    assert not signing.verify("whsec_another", received.headers, received.body)
    assert not signing.verify(endpoint.secret, received.headers, received.body + b" ")
    payload = received.json
    assert payload["type"] == "concern.received"
    assert payload["id"] == received.headers["Webhook-Id"]
    assert payload["municipality"] == world.municipality.slug
    assert payload["data"] == api_read(world, "coordinator", concern.pk)
    assert payload["data"]["reference"] == concern.reference
    stored = Delivery.objects.get(endpoint=endpoint)
    assert stored.status == Delivery.Status.DELIVERED
    assert (stored.attempts, stored.last_status_code) == (1, 204)
    assert stored.object_ref == f"concerns.concern:{concern.pk}"
    assert stored.payload == {}  # erased once delivered


def test_old_deliveries_are_pruned(world, receiver):
    endpoint = endpoint_for(world, receiver)
    make_concern(world.project)
    run_tasks()
    assert delivery.prune() == 0
    assert delivery.prune(now=timezone.now() + timedelta(days=31)) == 1
    assert not Delivery.objects.filter(endpoint=endpoint).exists()


def test_it_sends_a_status_change_with_the_change(world, receiver):
    from naboskap.concerns.services import concern_transition

    endpoint_for(world, receiver, events_=[events.CONCERN_STATUS_CHANGED])
    concern = make_concern(world.project)
    run_tasks()
    assert receiver.requests == []  # not subscribed to "received"

    concern_transition(concern=concern, to_status="acknowledged", by=world.users["coordinator"])
    run_tasks()

    (received,) = receiver.requests
    assert received.json["type"] == "concern.status_changed"
    assert received.json["changes"] == {"status": ["received", "acknowledged"]}
    assert received.json["data"]["status"] == "acknowledged"


def test_an_endpoint_whose_user_may_not_see_the_concern_gets_nothing(world, receiver):
    politician = endpoint_for(world, receiver, user="politician")
    elsewhere = endpoint_for(
        world, receiver, user="outsider", municipality=world.other_municipality
    )
    seeing = endpoint_for(world, receiver, user="coordinator")

    make_concern(world.project, reporter_email="nabo@example.org")
    run_tasks()

    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["concern.received"]
    assert Delivery.objects.filter(endpoint=seeing).count() == 1
    assert not Delivery.objects.filter(endpoint__in=[politician, elsewhere]).exists()


def test_no_event_is_queued_when_no_endpoint_wants_it(world, receiver):
    endpoint_for(world, receiver, events_=[events.MINUTES_APPROVED])
    inactive = endpoint_for(world, receiver)
    services.endpoint_update(endpoint=inactive, active=False)

    make_concern(world.project)

    assert not DBTaskResult.objects.filter(task_path="naboskap.webhooks.tasks.store").exists()


def test_a_failing_receiver_is_tried_again_with_a_growing_pause_until_it_answers(world, receiver):
    receiver.answer = lambda number: 500 if number <= 2 else 200
    endpoint = endpoint_for(world, receiver)

    make_concern(world.project)
    began = timezone.now()
    run_tasks()

    stored = Delivery.objects.get(endpoint=endpoint)
    assert stored.status == Delivery.Status.PENDING
    assert (stored.attempts, stored.last_status_code) == (1, 500)
    assert "HTTP 500" in stored.last_error
    first_pause = stored.next_attempt_at - began
    assert timedelta(seconds=25) < first_pause < timedelta(seconds=40)
    # A worker is asked to come back then.
    assert DBTaskResult.objects.filter(
        task_path=delivery.SEND_PATH, run_after__gte=stored.next_attempt_at
    ).exists()

    run_tasks()  # nothing is due yet
    assert len(receiver.requests) == 1

    delivery.send_due(now=stored.next_attempt_at + timedelta(seconds=1))
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (Delivery.Status.PENDING, 2)
    assert stored.next_attempt_at - timezone.now() > timedelta(seconds=100)  # 2 minutes

    delivery.send_due(now=stored.next_attempt_at + timedelta(seconds=1))
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (Delivery.Status.DELIVERED, 3)
    assert stored.last_status_code == 200 and stored.last_error == ""
    # The same event each time (receivers drop what they have seen by its id), signed anew.
    assert len({r.headers["Webhook-Id"] for r in receiver.requests}) == 1
    assert all(signing.verify(endpoint.secret, r.headers, r.body) for r in receiver.requests)
    assert len({r.body for r in receiver.requests}) == 1


def test_an_unreachable_receiver_waits_and_after_the_last_attempt_fails(world, receiver, settings):
    settings.WEBHOOKS_RETRY_SECONDS = [0, 0]
    endpoint = endpoint_for(world, receiver)
    receiver.stop()

    make_concern(world.project)
    make_concern(world.project)
    run_tasks()

    stored = list(Delivery.objects.filter(endpoint=endpoint))
    assert len(stored) == 2
    for _attempt in range(3):
        delivery.send_due(now=timezone.now() + timedelta(seconds=1))
    for row in Delivery.objects.filter(endpoint=endpoint):
        assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, None)
        assert row.last_error


def test_a_gone_receiver_fails_at_once_is_shown_to_the_admin_and_can_be_sent_again(world, receiver):
    receiver.answer = lambda number: 410 if number == 1 else 200
    endpoint = endpoint_for(world, receiver)

    make_concern(world.project)
    run_tasks()

    stored = Delivery.objects.get(endpoint=endpoint)
    assert (stored.status, stored.attempts, stored.last_status_code) == ("failed", 1, 410)
    admin = client_for(world.users["admin"])
    page = admin.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "410" in text and "HTTP 410" in text
    retry_url = reverse("webhooks:delivery_retry", args=[endpoint.pk, stored.pk])
    assert retry_url in text

    response = admin.post(retry_url)
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("pending", 0)

    run_tasks()
    stored.refresh_from_db()
    assert (stored.status, stored.last_status_code) == ("delivered", 200)
    assert len(receiver.requests) == 2


def test_an_event_is_delivered_once_per_endpoint_however_often_its_task_runs(world, receiver):
    endpoint = endpoint_for(world, receiver)
    make_concern(world.project)
    queued = DBTaskResult.objects.get(task_path="naboskap.webhooks.tasks.store")
    # The same task queued again (a worker that died after storing, a second worker).
    DBTaskResult.objects.create(
        task_path=queued.task_path,
        args_kwargs=queued.args_kwargs,
        queue_name=queued.queue_name,
        backend_name=queued.backend_name,
        priority=queued.priority,
        run_after=None,
    )
    run_tasks()
    run_tasks()
    args = queued.args_kwargs["args"]
    added = delivery.store_event(
        event=args[0],
        ref=args[1],
        pk=args[2],
        event_id=args[3],
        occurred_at=args[4],
        municipality_id=args[5],
        details=args[6],
    )
    delivery.send_due()

    assert added == 0
    assert Delivery.objects.filter(endpoint=endpoint).count() == 1
    assert len(receiver.requests) == 1


def test_a_measure_change_is_sent_to_users_who_see_the_plan(world, receiver):
    seeing = endpoint_for(world, receiver, events_=[events.MEASURE_CHANGED])
    outsider = endpoint_for(
        world,
        receiver,
        user="outsider",
        municipality=world.other_municipality,
        events_=[events.MEASURE_CHANGED],
    )
    measure = make_measure(world.project, by=world.users["coordinator"])
    run_tasks()

    (received,) = receiver.requests
    data = received.json["data"]
    assert (data["id"], data["title"]) == (measure.pk, measure.title)
    assert data == api_read(world, "coordinator", measure.pk, path="measures")
    assert Delivery.objects.filter(endpoint=seeing).count() == 1
    assert not Delivery.objects.filter(endpoint=outsider).exists()


def test_the_test_event_is_sent_by_the_worker(world, receiver):
    endpoint = endpoint_for(world, receiver)
    admin = client_for(world.users["admin"])

    response = admin.post(reverse("webhooks:endpoint_ping", args=[endpoint.pk]))
    assert response.status_code == 302
    run_tasks()

    (received,) = receiver.requests
    assert received.json["type"] == "ping"
    assert signing.verify(endpoint.secret, received.headers, received.body)


def test_the_admin_creates_an_endpoint_and_sees_its_secret_once(world, receiver):
    admin = client_for(world.users["admin"])
    data = {
        "name": "Arkiv",
        "url": receiver.url,
        "events": ["concern.received", "minutes.approved"],
        "user": world.users["coordinator"].pk,
        "active": "on",
    }
    response = admin.post(reverse("webhooks:endpoint_create"), data)
    assert response.status_code == 200
    endpoint = Endpoint.objects.get(name="Arkiv")
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert endpoint.events == ["concern.received", "minutes.approved"]
    assert endpoint.created_by == world.users["admin"]

    page = admin.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()
    listing = admin.get(reverse("webhooks:endpoints"))
    assert "Arkiv" in listing.content.decode()
    assert endpoint.secret not in listing.content.decode()

    edit = admin.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {**data, "events": ["measure.changed"], "active": ""},
    )
    assert edit.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.active) == (["measure.changed"], False)

    admin.post(reverse("webhooks:endpoint_delete", args=[endpoint.pk]))
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_only_https_addresses_and_users_of_the_municipality_are_taken(world, settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = False
    admin = client_for(world.users["admin"])
    data = {
        "name": "Arkiv",
        "url": "http://127.0.0.1:9/hook",
        "events": ["concern.received"],
        "user": world.users["outsider"].pk,  # of another municipality
    }
    response = admin.post(reverse("webhooks:endpoint_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"url", "user"}
    assert not Endpoint.objects.exists()
    for url in ["http://arkiv.example.org/hook", "ftp://arkiv.example.org/", "file:///etc/passwd"]:
        with pytest.raises(services.ValidationError):
            services.url_check(url)
    services.url_check("https://arkiv.example.org/hook")


def test_a_signature_is_refused_when_old():
    body = b'{"id":"evt_1"}'
    headers = signing.headers("whsec_x", "evt_1", body, now=1_000_000)
    assert signing.verify("whsec_x", headers, body, now=1_000_100)
    assert not signing.verify("whsec_x", headers, body, now=1_000_400)
    expected = signing.signature("whsec_x", "evt_1", 1_000_000, body)
    assert headers["Webhook-Signature"] == expected
    assert expected.startswith("v1=") and len(expected) == 3 + 64


def test_approved_minutes_and_the_ready_document_are_sent_to_those_who_see_the_meeting(
    world, receiver
):
    from naboskap.meetings.minutes import services as minutes_services
    from naboskap.meetings.tests.factories import make_body, make_meeting

    seeing = endpoint_for(world, receiver, events_=[events.MINUTES_APPROVED, events.DOCUMENT_READY])
    politician = endpoint_for(world, receiver, user="politician", events_=[events.MINUTES_APPROVED])
    coordinator = world.users["coordinator"]
    meeting = make_meeting(world.project, body=make_body(world.project), days=-1)
    minutes = minutes_services.minutes_start(meeting=meeting, created_by=coordinator)
    version = minutes_services.minutes_approve(minutes=minutes, approved_by=coordinator)
    run_tasks()
    run_tasks()  # the minutes' PDF, rendered by the worker, is ready: its event is stored

    kinds = {r.json["type"]: r.json for r in receiver.requests}
    assert kinds["minutes.approved"]["data"]["version"] == version.version
    assert kinds["minutes.approved"]["data"]["meeting"]["id"] == meeting.pk
    ready = [r.json["data"] for r in receiver.requests if r.json["type"] == "document.ready"]
    assert ready and all(data["project_id"] == world.project.pk for data in ready)
    assert {data["kind"] for data in ready} <= {"meetings.minutes", "plans.plan", "risk.report"}
    assert Delivery.objects.filter(endpoint=seeing, event="minutes.approved").count() == 1
    may_see = politician.user.has_perm("meetings.view_meetings", world.project)
    assert Delivery.objects.filter(endpoint=politician).exists() == may_see
