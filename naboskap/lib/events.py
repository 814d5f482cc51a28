"""Things that happened in the domain, told to whoever listens outside it (ADR 0032).

A domain service says what happened, inside its transaction, with one call:

    events.emit(events.CONCERN_RECEIVED, concern, municipality_id=concern.municipality_id)

The webhooks app listens (`happened`) and queues the event for the municipality's endpoints
in the same transaction: both or neither; so does the archive (ADR 0033), which makes the
registrations a final record needs. The domain apps know neither.
"""

from __future__ import annotations

from django.dispatch import Signal

CONCERN_RECEIVED = "concern.received"
CONCERN_STATUS_CHANGED = "concern.status_changed"
MEASURE_CHANGED = "measure.changed"
MINUTES_APPROVED = "minutes.approved"
DOCUMENT_READY = "document.ready"
# Heard by the archive only (ADR 0033): what becomes a record once it is final.
ANALYSIS_APPROVED = "analysis.approved"
REPORT_MADE = "report.made"
LETTERS_SENT = "letters.sent"

# Arguments: event (one of the names above), instance, municipality_id, details (a dict).
happened = Signal()


def emit(event: str, instance, *, municipality_id: int, **details) -> None:
    """Say that `event` happened to `instance` (call it inside the service's transaction)."""
    happened.send(
        sender=type(instance),
        event=event,
        instance=instance,
        municipality_id=municipality_id,
        details=details,
    )
