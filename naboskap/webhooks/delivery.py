"""The worker's side of webhooks: storing an event for each endpoint that may see it, and
sending what is due (ADR 0032).

`store_event` builds what the event carries for each endpoint, as the endpoint's integration
user (`payloads`), and stores one `Delivery` per endpoint; (endpoint, event id) is unique, so
a second run stores nothing. `send_due` claims a batch (`SKIP LOCKED` on PostgreSQL, a
conditional update on SQLite), posts each delivery, signed, and records the outcome:
delivered (2xx); failed for good (any other 4xx but 408 and 429, a redirect, or after the
last attempt); otherwise tried again after a growing pause. A delivery claimed by a worker
that died is due again after WEBHOOKS_CLAIM_SECONDS.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from naboskap.webhooks import conf, payloads, signing
from naboskap.webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

SEND_PATH = "naboskap.webhooks.tasks.send"
BATCH = 50
USER_AGENT = "Naboskap-Webhooks/1"
# Answers that say "not now" rather than "never".
TEMPORARY = {408, 425, 429}


def envelope(*, event: str, event_id: str, occurred_at: str, municipality, data: dict) -> dict:
    return {
        "id": event_id,
        "type": event,
        "created_at": occurred_at,
        "municipality": municipality.slug,
        "data": data,
    }


def store_event(
    *,
    event: str,
    ref: str,
    pk: int,
    event_id: str,
    occurred_at: str,
    municipality_id: int,
    details: dict,
) -> int:
    """Store the event for every active endpoint of the object's municipality that wants it
    and whose user may see the object; returns how many deliveries were added."""
    from naboskap.tenancy.models import Municipality

    municipality = Municipality.objects.get(pk=municipality_id)
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(municipality=municipality, active=True)
        .select_related("user")
        .order_by("pk")
        if endpoint.wants(event)
    ]
    now = timezone.now()
    deliveries = []
    with translation.override(municipality.default_language):
        for endpoint in endpoints:
            data = payloads.build(event, endpoint.user, pk)
            if data is None:
                continue  # the integration user may not see it: nothing at all is sent
            payload = envelope(
                event=event,
                event_id=event_id,
                occurred_at=occurred_at,
                municipality=municipality,
                data=data,
            )
            if details:
                payload["changes"] = details
            deliveries.append(
                Delivery(
                    endpoint=endpoint,
                    event=event,
                    event_id=event_id,
                    object_ref=ref,
                    # As JSON will carry it (dates as text): what is stored is what is sent.
                    payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
                    next_attempt_at=now,
                )
            )
    if not deliveries:
        return 0
    before = Delivery.objects.filter(event_id=event_id).count()
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return Delivery.objects.filter(event_id=event_id).count() - before


def send_due(now: datetime | None = None, limit: int | None = None) -> int:
    """Send the deliveries that are due, a batch at a time; returns how many were
    delivered. Then has a worker come back when the next waiting one is due."""
    delivered = 0
    tried = 0
    recover_stale(now)
    while limit is None or tried < limit:
        batch = _claim(now)
        if not batch:
            break
        tried += len(batch)
        delivered += _send_batch(batch)
    wake_at_next_attempt()
    return delivered


def recover_stale(now: datetime | None = None) -> int:
    now = now or timezone.now()
    limit = now - timedelta(seconds=conf.claim_seconds())
    return Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=limit).update(
        status=Delivery.Status.PENDING, claimed_at=None
    )


def _claim(now: datetime | None) -> list[Delivery]:
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        ids = list(due)
        if not ids:
            return []
        # Only where it still says pending: on SQLite, a second worker finds them taken.
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_at=timezone.now()
        )
    claimed = Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING)
    return list(claimed.select_related("endpoint").order_by("pk"))


class Outcome:
    def __init__(self, *, code: int | None = None, error: str = "", away: bool = False):
        self.code, self.error, self.away = code, error, away

    @property
    def delivered(self) -> bool:
        return self.code is not None and 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        if self.code is None:
            return True  # no answer: away, refused, timed out
        return self.code >= 500 or self.code in TEMPORARY


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is the answer: the registered address is the one we send to


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict) -> Outcome:
    if not url.startswith(("https://", "http://")):  # checked when saved; never file: etc.
        return Outcome(code=0, error="Not an http(s) address")
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=conf.timeout()) as response:
            response.read(4096)
            return Outcome(code=response.status)
    except urllib.error.HTTPError as exc:
        text = ""
        try:
            text = exc.read(300).decode(errors="replace")
        except Exception:
            text = ""
        exc.close()
        reason = f"HTTP {exc.code} {exc.reason}".strip()
        if text.strip():
            reason += f": {' '.join(text.split())}"
        return Outcome(code=exc.code, error=reason[:500])
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(error=f"{type(exc).__name__}: {reason}"[:500], away=True)


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _send_batch(batch: list[Delivery]) -> int:
    delivered = 0
    away: dict[int, Outcome] = {}  # endpoints that did not answer in this batch
    for delivery in batch:
        endpoint = delivery.endpoint
        if endpoint.pk in away:
            # It did not answer a moment ago: this one waits too, rather than another timeout.
            _record(delivery, away[endpoint.pk])
            continue
        body = body_of(delivery)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signing.headers(endpoint.secret, delivery.event_id, body),
        }
        outcome = post(endpoint.url, body, headers)
        if outcome.away:
            away[endpoint.pk] = outcome
        _record(delivery, outcome)
        delivered += outcome.delivered
    return delivered


def _record(delivery: Delivery, outcome: Outcome) -> None:
    now = timezone.now()
    attempts = delivery.attempts + 1
    if outcome.delivered:
        # The copy is erased once delivered, as a sent email's text is: it may hold what
        # the retention rules erase from the concern later (the reporter's contact details).
        Delivery.objects.filter(pk=delivery.pk).update(
            payload={},
            status=Delivery.Status.DELIVERED,
            attempts=attempts,
            last_status_code=outcome.code,
            last_error="",
            delivered_at=now,
            claimed_at=None,
        )
        return
    pauses = conf.retry_seconds()
    error = outcome.error or f"HTTP {outcome.code}"
    if outcome.temporary and attempts <= len(pauses):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            attempts=attempts,
            last_status_code=outcome.code,
            last_error=error,
            next_attempt_at=now + timedelta(seconds=pauses[attempts - 1]),
            claimed_at=None,
        )
        return
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED,
        attempts=attempts,
        last_status_code=outcome.code,
        last_error=error,
        claimed_at=None,
    )
    logger.warning(
        "Webhook delivery %s to endpoint %s failed for good: %s",
        delivery.pk,
        delivery.endpoint_id,
        error,
    )


def prune(now: datetime | None = None) -> int:
    """Delete delivered and failed deliveries older than WEBHOOKS_KEEP_DAYS (a failed one
    still holds its copy of the data)."""
    now = now or timezone.now()
    old = Delivery.objects.filter(
        status__in=[Delivery.Status.DELIVERED, Delivery.Status.FAILED],
        created_at__lt=now - timedelta(days=conf.keep_days()),
    )
    deleted, _by_model = old.delete()
    return deleted


def wake_at_next_attempt() -> None:
    """Have a worker send again when the next waiting delivery is due, unless a sending task
    is already queued for then."""
    from naboskap.webhooks.tasks import send

    due = (
        Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("next_attempt_at").first()
    )
    if due is None:
        return
    waiting = DBTaskResult.objects.filter(
        task_path=SEND_PATH, status=TaskResultStatus.READY
    ).filter(Q(run_after__isnull=True) | Q(run_after__lte=due.next_attempt_at))
    if not waiting.exists():
        send.using(run_after=max(due.next_attempt_at, timezone.now())).enqueue()


def integration_users(municipality):
    """Users who may be an endpoint's integration user: active, with a role in the
    municipality."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__municipality=municipality)
        .distinct()
        .order_by("username")
    )
