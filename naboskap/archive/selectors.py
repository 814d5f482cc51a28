"""What the archive pages and the record pages read."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from naboskap.archive.models import Registration

Status = Registration.Status


def registrations_of(municipality, *, status: str = "") -> QuerySet:
    """The municipality's registrations, newest first, with their case folder."""
    found = Registration.objects.filter(municipality=municipality).select_related("folder")
    if status:
        found = found.filter(status=status)
    return found.order_by("-created_at", "-pk")


def counts_of(municipality) -> dict[str, int]:
    """How many registrations wait, were sent, are archived and failed (one query)."""
    return Registration.objects.filter(municipality=municipality).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
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
