"""The concerns' periodic jobs (naboskap.scheduling.jobs): retention and overdue reminders."""

from collections.abc import Iterator

from naboskap.concerns import services
from naboskap.concerns.tasks import overdue_reminders
from naboskap.plans import services as plans
from naboskap.scheduling.jobs import Counts
from naboskap.tenancy.models import Municipality


def retention_everywhere(*, dry_run: bool = False) -> Iterator[tuple]:
    """Apply every municipality's retention policy to its concerns, and erase the email of
    suggestions answered longer ago than the policy keeps contact details. Yields, per
    municipality: (municipality, {"erased": [...], "deleted": [...]}, the suggestions'
    references, the number of days)."""
    for municipality in Municipality.objects.order_by("name"):
        result = services.retention_apply(municipality=municipality, dry_run=dry_run)
        days = services.policy_for(municipality).erase_contact_after_days
        inputs = plans.input_retention_apply(municipality=municipality, dry_run=dry_run, days=days)
        yield municipality, result, inputs, days


def apply_retention(counts: Counts) -> None:
    for municipality, result, inputs, _days in retention_everywhere():
        counts.add("contact_erased", municipality.pk, len(result["erased"]))
        counts.add("concerns_deleted", municipality.pk, len(result["deleted"]))
        counts.add("input_emails_erased", municipality.pk, len(inputs))


def remind_overdue(counts: Counts) -> None:
    overdue_reminders(counts)
