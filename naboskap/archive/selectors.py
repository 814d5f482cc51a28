"""What the archive pages and the record pages read."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from naboskap.archive.models import Registration

Status = Registration.Status


def registrations_of(municipality, *, status: str = "") -> QuerySet:
    """The municipality's registrations, newest first, with their case folder."""
    found = Registration.objects.filter(municipality=municipality).select_related("folder")
    if status:
        found = found.filter(status=status)
    return found.order_by("-created_at", "-pk")


# A sent registration the archive has not answered in this long is worth a look.
UNANSWERED_AFTER = timedelta(days=1)


def counts_of(municipality) -> dict[str, int]:
    """How many registrations wait, were sent, are archived and failed, and how many were
    sent more than UNANSWERED_AFTER ago without an answer ("unanswered"); one query."""
    long_ago = timezone.now() - UNANSWERED_AFTER
    return Registration.objects.filter(municipality=municipality).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values},
        unanswered=Count("pk", filter=Q(status=Status.SENT, sent_at__lt=long_ago)),
    )


def registrations_about(obj) -> list[Registration]:
    """The registrations of a concern, a meeting, an analysis or a report, with their case
    folder, in the order they were made (one query)."""
    meta = obj._meta
    return list(
        Registration.objects.filter(
            subject_model=f"{meta.app_label}.{meta.model_name}", subject_id=obj.pk
        )
        .exclude(kind=Registration.Kind.FOLDER)
        .select_related("folder")
        .order_by("created_at", "pk")
    )
