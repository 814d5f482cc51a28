"""The periodic jobs the worker runs, when, and what their counts mean.

Each job is a function taking a `Counts`, in the app that owns the work; it must be safe to
run twice (a second run in the same period does nothing new). Its schedule is a cron
expression in the municipality's time zone (settings.TIME_ZONE); an operator changes it, or
turns a job off, with `SCHEDULE_<NAME>` in the environment (docs/operations.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

OFF = "off"


class Counts:
    """What a run did, counted per municipality (so each municipality's administrator sees
    only their own figures); work that belongs to no municipality is counted under None."""

    def __init__(self) -> None:
        self._counts: defaultdict[str, Counter] = defaultdict(Counter)

    def add(self, what: str, municipality_id: int | None = None, count: int = 1) -> None:
        if what not in WHAT:
            raise ValueError(f"Unknown count {what!r}: add it to scheduling.jobs.WHAT")
        self._counts["" if municipality_id is None else str(municipality_id)][what] += count

    def as_json(self) -> dict[str, dict[str, int]]:
        return {key: dict(counter) for key, counter in self._counts.items()}


# What a job can count, in words ("3 emails sent").
WHAT: dict[str, Promise] = {
    "emails": ngettext_lazy("%(count)d email sent", "%(count)d emails sent", "count"),
    "contact_erased": ngettext_lazy(
        "contact details erased from %(count)d concern",
        "contact details erased from %(count)d concerns",
        "count",
    ),
    "concerns_deleted": ngettext_lazy(
        "%(count)d concern deleted", "%(count)d concerns deleted", "count"
    ),
    "input_emails_erased": ngettext_lazy(
        "email erased from %(count)d suggestion",
        "email erased from %(count)d suggestions",
        "count",
    ),
    "reports": ngettext_lazy(
        "%(count)d status report made", "%(count)d status reports made", "count"
    ),
    "task_results": ngettext_lazy(
        "%(count)d old task result removed", "%(count)d old task results removed", "count"
    ),
    "documents_deleted": ngettext_lazy(
        "%(count)d stored document deleted", "%(count)d stored documents deleted", "count"
    ),
    "documents_queued": ngettext_lazy(
        "%(count)d document queued to render again",
        "%(count)d documents queued to render again",
        "count",
    ),
    "webhooks": ngettext_lazy(
        "%(count)d webhook event delivered", "%(count)d webhook events delivered", "count"
    ),
    "old_webhook_deliveries": ngettext_lazy(
        "%(count)d old webhook delivery deleted",
        "%(count)d old webhook deliveries deleted",
        "count",
    ),
    "archive_sent": ngettext_lazy(
        "%(count)d registration sent to the archive",
        "%(count)d registrations sent to the archive",
        "count",
    ),
    "archive_receipts": ngettext_lazy(
        "%(count)d archive receipt recorded", "%(count)d archive receipts recorded", "count"
    ),
    "archive_fiks_io_messages": ngettext_lazy(
        "%(count)d message from the archive read by Fiks IO",
        "%(count)d messages from the archive read by Fiks IO",
        "count",
    ),
    "old_emails": ngettext_lazy(
        "%(count)d old email deleted", "%(count)d old emails deleted", "count"
    ),
    "effects": ngettext_lazy(
        "observed effect of %(count)d measure made",
        "observed effects of %(count)d measures made",
        "count",
    ),
    "barometer_readings": ngettext_lazy(
        "%(count)d trust barometer reading made",
        "%(count)d trust barometer readings made",
        "count",
    ),
    "sessions": ngettext_lazy(
        "%(count)d expired login session removed",
        "%(count)d expired login sessions removed",
        "count",
    ),
}


@dataclass(frozen=True)
class Job:
    name: str
    function: str  # dotted path of a function taking a Counts
    schedule: str  # cron: minute hour day-of-month month day-of-week
    label: Promise
    # A run still unfinished this long after it was claimed lost its worker: it is run again.
    timeout: timedelta = timedelta(hours=2)

    @property
    def run(self):
        return import_string(self.function)


JOBS: tuple[Job, ...] = (
    Job(
        "concern_retention",
        "naboskap.concerns.jobs.apply_retention",
        "30 2 * * *",
        _("Retention: erase contact details and delete old concerns"),
    ),
    Job(
        "overdue_concern_reminders",
        "naboskap.concerns.jobs.remind_overdue",
        "0 7 * * *",
        _("Reminders of overdue concerns to each unit"),
    ),
    Job(
        "meeting_reminders",
        "naboskap.meetings.jobs.remind_invitees",
        "5 * * * *",
        _("Reminders to those invited to a meeting within two days"),
    ),
    Job(
        "status_reports",
        "naboskap.reports.jobs.make_due_reports",
        "0 6 * * *",
        _("Scheduled status reports to politicians"),
    ),
    Job(
        "overdue_measure_reminders",
        "naboskap.plans.jobs.remind_overdue",
        "0 7 * * 1",
        _("Weekly reminders of overdue measures to each owner unit"),
    ),
    Job(
        "send_outbox",
        "naboskap.outbox.jobs.send_waiting",
        "* * * * *",
        _("Send emails waiting for another attempt"),
        timeout=timedelta(minutes=15),
    ),
    Job(
        "prune_outbox",
        "naboskap.outbox.jobs.prune",
        "30 3 * * *",
        _("Delete sent emails after the days set to keep them"),
    ),
    Job(
        "send_webhooks",
        "naboskap.webhooks.jobs.send_waiting",
        "* * * * *",
        _("Send webhook events waiting for another attempt"),
        timeout=timedelta(minutes=15),
    ),
    Job(
        "prune_webhooks",
        "naboskap.webhooks.jobs.prune",
        "40 3 * * *",
        _("Delete old webhook deliveries"),
    ),
    Job(
        "send_archive",
        "naboskap.archive.jobs.send_waiting",
        "*/5 * * * *",
        _("Send registrations waiting for the archive"),
        timeout=timedelta(minutes=30),
    ),
    Job(
        "archive_receipts",
        "naboskap.archive.jobs.import_receipts",
        "*/10 * * * *",
        _("Read the archive's receipts"),
    ),
    Job(
        "prune_documents",
        "naboskap.documents.jobs.prune",
        "45 2 * * *",
        _("Delete stored documents that outlived their object or their time"),
    ),
    Job(
        "refresh_documents",
        "naboskap.documents.jobs.refresh",
        "30 5 * * *",
        _("Render again the documents that change with the day (overdue measures, letter dates)"),
    ),
    Job(
        "compute_effects",
        "naboskap.whatworks.jobs.compute_all",
        "20 * * * *",
        _("Make the observed effects of the measures that are done"),
    ),
    Job(
        "trust_barometer",
        "naboskap.whatworks.jobs.compute_barometer",
        "40 5 * * *",  # daily, before the status reports at 06:00
        _("Make each project's trust barometer and tell coordinators when it keeps falling"),
    ),
    Job(
        "prune_task_results",
        "naboskap.scheduling.housekeeping.prune_task_results",
        "0 3 * * *",
        _("Remove results of background tasks older than two weeks"),
    ),
    Job(
        "clear_sessions",
        "naboskap.scheduling.housekeeping.clear_sessions",
        "15 3 * * *",
        _("Remove expired login sessions"),
    ),
)


def by_name(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


def schedule_of(job: Job) -> str | None:
    """The job's cron expression, as the operator set it; None when turned off."""
    schedule = settings.JOB_SCHEDULES.get(job.name, job.schedule).strip()
    return None if schedule.lower() == OFF else schedule
