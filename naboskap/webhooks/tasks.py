"""The webhooks' background work: storing an event for the endpoints, and sending."""

from django_tasks import task

from naboskap.webhooks import delivery


@task()
def store(
    event: str,
    ref: str,
    pk: int,
    event_id: str,
    occurred_at: str,
    municipality_id: int,
    details: dict,
) -> int:
    """Store the event for each endpoint that may see it, then send what is due."""
    added = delivery.store_event(
        event=event,
        ref=ref,
        pk=pk,
        event_id=event_id,
        occurred_at=occurred_at,
        municipality_id=municipality_id,
        details=dict(details),
    )
    if added:
        delivery.send_due()
    return added


@task()
def send() -> int:
    return delivery.send_due()
