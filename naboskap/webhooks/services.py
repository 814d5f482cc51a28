"""Webhooks: a municipality's endpoints, and the events queued for them (ADR 0032).

The domain services say what happened (`naboskap.lib.events.emit`, in their transaction);
`event_happened` queues the event in that same transaction when an active endpoint of the
municipality wants it: the change and its event commit together, or neither does. The
worker then stores it per endpoint, as that endpoint's user sees it, and sends it
(`delivery`). The administrator registers endpoints, sees their deliveries, sends a failed
one again and sends a test event.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.webhooks import conf, tasks
from naboskap.webhooks.models import PING, Delivery, Endpoint, Event, new_secret

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def url_check(url: str) -> None:
    """An endpoint's address is https://; plain http:// only to this machine, and only in
    development, tests and the benchmark (`conf.allow_http_localhost`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in LOCAL_HOSTS and conf.allow_http_localhost():
        return
    raise ValidationError(_("The address must begin with https://."), code="https")


def _check(endpoint: Endpoint) -> None:
    url_check(endpoint.url)
    unknown = set(endpoint.events) - set(Event.values)
    if unknown:
        raise ValidationError(f"unknown events: {sorted(unknown)}")
    if not endpoint.user.memberships.filter(municipality=endpoint.municipality_id).exists():
        raise ValidationError(
            _("The integration user must have a role in the municipality."), code="user"
        )


def endpoint_create(
    *, municipality, name: str, url: str, events: list[str], user, by=None
) -> tuple[Endpoint, str]:
    """A new endpoint, active, with a new secret. Returns it and the secret (shown once)."""
    endpoint = Endpoint(
        municipality=municipality,
        name=name,
        url=url,
        events=sorted(set(events)),
        user=user,
        secret=new_secret(),
        created_by=by,
    )
    _check(endpoint)
    endpoint.save()
    return endpoint, endpoint.secret


def endpoint_update(*, endpoint: Endpoint, **fields) -> Endpoint:
    """Change the name, address, events, integration user or whether it is active."""
    allowed = {"name", "url", "events", "user", "active"}
    if set(fields) - allowed:
        raise ValueError(f"cannot change {sorted(set(fields) - allowed)}")
    if "events" in fields:
        fields["events"] = sorted(set(fields["events"]))
    for name, value in fields.items():
        setattr(endpoint, name, value)
    _check(endpoint)
    endpoint.save(update_fields=[*fields])
    return endpoint


def endpoint_new_secret(*, endpoint: Endpoint) -> str:
    """Replace the secret (a leaked one): returns the new one, shown once."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


def endpoint_delete(*, endpoint: Endpoint) -> None:
    """The endpoint and its delivery log."""
    endpoint.delete()


def event_happened(sender, *, event: str, instance, municipality_id: int, details=None, **_kw):
    """The receiver of `naboskap.lib.events.happened`: queue the event (see `event_emit`)."""
    event_emit(event=event, instance=instance, municipality_id=municipality_id, **(details or {}))


def event_emit(*, event: str, instance, municipality_id: int, **details) -> str | None:
    """Queue `event` about `instance` for the worker, in the caller's transaction, when an
    active endpoint of the municipality wants it. Returns the event's id (None when no
    endpoint wants it)."""
    wanted = any(
        endpoint.wants(event)
        for endpoint in Endpoint.objects.filter(municipality_id=municipality_id, active=True).only(
            "events", "active"
        )
    )
    if not wanted:
        return None
    event_id = f"evt_{uuid.uuid4().hex}"
    meta = instance._meta
    # The queue is a table in the same database: the event commits with the change.
    tasks.store.enqueue(
        event,
        f"{meta.app_label}.{meta.model_name}:{instance.pk}",
        instance.pk,
        event_id,
        DjangoJSONEncoder().default(timezone.localtime()),
        municipality_id,
        _plain(details),
    )
    return event_id


def _plain(details: dict) -> dict:
    """Details as JSON can carry them (the task's arguments are JSON)."""
    return json.loads(DjangoJSONEncoder().encode(details))


def ping(*, endpoint: Endpoint) -> Delivery:
    """A test event to the endpoint, sent by the worker as any other."""
    event_id = f"evt_{uuid.uuid4().hex}"
    created = Delivery.objects.create(
        endpoint=endpoint,
        event=PING,
        event_id=event_id,
        payload={
            "id": event_id,
            "type": PING,
            "created_at": DjangoJSONEncoder().default(timezone.localtime()),
            "municipality": endpoint.municipality.slug,
            "data": {"endpoint": endpoint.name},
        },
        next_attempt_at=timezone.now(),
    )
    _wake_after_commit()
    return created


def retry(deliveries: QuerySet[Delivery]) -> int:
    """Send failed deliveries again now (the administrator's button)."""
    count = deliveries.filter(status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
    )
    if count:
        _wake_after_commit()
    return count


def _wake() -> None:
    tasks.send.enqueue()


def _wake_after_commit() -> None:
    transaction.on_commit(_wake)


def deliveries_of(endpoint: Endpoint) -> QuerySet[Delivery]:
    return endpoint.deliveries.order_by("-created_at", "-pk")
