"""The privacy log of a municipality: the concern deletion log and the person erasure log as
one list, newest first.

Neither log keeps what was deleted: a deleted concern leaves its reference and when it was
closed, an erased person leaves who erased them, when, why and how many interactions were
kept without them. The two tables are read as one SQL UNION, so a page of the list costs one
query however long the logs grow (and one more for the names of the staff on that page).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import CharField, DateTimeField, F, IntegerField, Value
from django.utils import timezone

from naboskap.concerns.models import DeletionLog
from naboskap.stakeholders.models import ErasureLog

CONCERN_DELETED = "concern_deleted"
PERSON_ERASED = "person_erased"
# The columns both halves of the UNION select, in this order.
COLUMNS = (
    "entry_kind",
    "entry_at",
    "entry_id",
    "entry_reference",
    "entry_closed_at",
    "entry_actor_id",
    "entry_reason",
    "entry_kept",
)


@dataclass(frozen=True)
class LogEntry:
    kind: str
    at: datetime.datetime
    id: int
    reference: str
    closed_at: datetime.datetime | None
    actor_id: int | None
    reason: str
    kept: int
    actor: object = None  # the staff member, for an erasure (None: the retention job)

    @property
    def by_retention(self) -> bool:
        return self.kind == CONCERN_DELETED


def _day_bounds(since: datetime.date | None, until: datetime.date | None):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz) if since else None
    end = (
        datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        if until
        else None
    )
    return start, end


def privacy_log(municipality, *, since=None, until=None):
    """Both logs of `municipality` between two days (both included), as one queryset of
    tuples in COLUMNS order, newest first. Slice it (a Paginator does), then `entries()`."""
    start, end = _day_bounds(since, until)
    deletions = DeletionLog.objects.filter(municipality=municipality)
    erasures = ErasureLog.objects.filter(municipality=municipality)
    if start:
        deletions = deletions.filter(deleted_at__gte=start)
        erasures = erasures.filter(erased_at__gte=start)
    if end:
        deletions = deletions.filter(deleted_at__lt=end)
        erasures = erasures.filter(erased_at__lt=end)
    deletions = (
        deletions.annotate(
            entry_kind=Value(CONCERN_DELETED, CharField()),
            entry_at=F("deleted_at"),
            entry_id=F("pk"),
            entry_reference=F("reference"),
            entry_closed_at=F("closed_at"),
            entry_actor_id=Value(None, IntegerField()),
            entry_reason=Value("", CharField()),
            entry_kept=Value(0, IntegerField()),
        )
        .values_list(*COLUMNS)
        .order_by()
    )
    erasures = (
        erasures.annotate(
            entry_kind=Value(PERSON_ERASED, CharField()),
            entry_at=F("erased_at"),
            entry_id=F("pk"),
            entry_reference=Value("", CharField()),
            entry_closed_at=Value(None, DateTimeField()),
            entry_actor_id=F("erased_by_id"),
            entry_reason=F("reason"),
            entry_kept=F("interactions_kept"),
        )
        .values_list(*COLUMNS)
        .order_by()
    )
    return deletions.union(erasures, all=True).order_by("-entry_at", "-entry_id")


def entries(rows) -> list[LogEntry]:
    """The rows of one page as LogEntry objects, with the staff members who erased someone."""
    rows = [LogEntry(*row) for row in rows]
    actor_ids = {row.actor_id for row in rows if row.actor_id}
    users = get_user_model().objects.in_bulk(actor_ids) if actor_ids else {}
    return [
        LogEntry(**{**row.__dict__, "actor": users.get(row.actor_id)}) if row.actor_id else row
        for row in rows
    ]
