"""Schedules of status reports: the periods, saving a schedule, and running it.

A schedule runs itself: saving it queues `run_report_schedule` at 06:00 on its next date, and
each run queues the next. The tasks live here, with the function they run, rather than in
`tasks.py`: a task module that called back into the code that queues it would make an import
cycle (services -> tasks -> services). The daily `send_status_reports` command (or its
`--enqueue`, `run_due_report_schedules`) catches up on any schedule whose run was lost.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from naboskap.reports.models import ReportSchedule, StatusReport
from naboskap.reports.services import ReportError, report_create
from naboskap.scheduling.jobs import Counts

MONTHS = {ReportSchedule.Frequency.MONTHLY: 1, ReportSchedule.Frequency.QUARTERLY: 3}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def latest_boundary(frequency: str, day: datetime.date) -> datetime.date:
    """The first day of the month or quarter that `day` is in."""
    step = MONTHS[frequency]
    month = (day.month - 1) // step * step + 1
    return datetime.date(day.year, month, 1)


def next_boundary(frequency: str, day: datetime.date) -> datetime.date:
    """The first day of the month or quarter after the one `day` is in."""
    return _add_months(latest_boundary(frequency, day), MONTHS[frequency])


def period_before(frequency: str, boundary: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The whole month or quarter that ends the day before `boundary`."""
    return _add_months(boundary, -MONTHS[frequency]), boundary - datetime.timedelta(days=1)


def run_time(day: datetime.date) -> datetime.datetime | None:
    """When the worker should run a schedule due on `day`: 06:00 local time, or now (None)
    when that has passed."""
    when = datetime.datetime.combine(day, datetime.time(6), tzinfo=timezone.get_current_timezone())
    return when if when > timezone.now() else None


def _enqueue_run(schedule: ReportSchedule) -> None:
    when = run_time(schedule.next_run_on)
    transaction.on_commit(lambda: run_report_schedule.using(run_after=when).enqueue(schedule.pk))


@transaction.atomic
def schedule_save(
    *, municipality, project=None, frequency: str, active: bool = True
) -> ReportSchedule:
    """Create or change the schedule of a municipality's (or a project's) reports. The next
    report is made at the start of the next month or quarter."""
    if project is not None and project.municipality_id != municipality.pk:
        raise ReportError(_("The project belongs to another municipality."))
    if frequency not in MONTHS:
        raise ReportError(_("Choose monthly or quarterly."))
    schedule = (
        ReportSchedule.objects.select_for_update()
        .filter(municipality=municipality, project=project)
        .first()
    )
    next_run_on = next_boundary(frequency, timezone.localdate())
    if schedule is None:
        schedule = ReportSchedule(municipality=municipality, project=project)
    changed = schedule.frequency != frequency or not schedule.pk or schedule.active != active
    schedule.frequency = frequency
    schedule.active = active
    if changed or schedule.next_run_on is None:
        schedule.next_run_on = next_run_on
    schedule.changed_at = timezone.now()
    schedule.full_clean(exclude=["next_run_on"])
    schedule.save()
    if schedule.active:
        _enqueue_run(schedule)
    return schedule


def schedule_run(schedule_id: int, today: datetime.date | None = None) -> StatusReport | None:
    """Make the report a schedule is due for, if it is due, and email its politicians.

    The schedule is claimed first: its next run moves on in one conditional UPDATE, so a
    second worker, a re-run or the daily command finds nothing due and does nothing. A
    schedule that missed runs (the worker was down) makes one report, for the latest period
    that has ended, not one for each missed period.
    """
    today = today or timezone.localdate()
    schedule = (
        ReportSchedule.objects.select_related("municipality", "project")
        .filter(pk=schedule_id, active=True, next_run_on__lte=today)
        .first()
    )
    if schedule is None:
        return None
    boundary = latest_boundary(schedule.frequency, today)
    following = next_boundary(schedule.frequency, today)
    claimed = ReportSchedule.objects.filter(
        pk=schedule.pk, active=True, next_run_on=schedule.next_run_on
    ).update(next_run_on=following, last_run_at=timezone.now())
    if not claimed:
        return None
    schedule.next_run_on = following
    start, end = period_before(schedule.frequency, boundary)
    municipality = schedule.municipality
    try:
        with transaction.atomic():
            report = report_create(
                municipality=municipality,
                project=schedule.project,
                period_start=start,
                period_end=end,
                schedule=schedule,
                language=municipality.default_language,
                notify=True,
            )
    except (IntegrityError, ValidationError):  # this period's report exists already
        report = None
    with transaction.atomic():
        _enqueue_run(schedule)
    return report


def due_schedules(today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(
        ReportSchedule.objects.filter(active=True, next_run_on__lte=today)
        .order_by("next_run_on", "pk")
        .values_list("pk", flat=True)
    )


def schedules_run_due(today: datetime.date | None = None, counts: Counts | None = None) -> int:
    """Run every schedule that is due. Returns how many reports were made."""
    made = 0
    for pk in due_schedules(today):
        report = schedule_run(pk, today)
        if report is not None:
            made += 1
            if counts is not None:
                counts.add("reports", report.municipality_id)
    return made


@task()
def run_report_schedule(schedule_id: int) -> None:
    schedule_run(schedule_id)


@task()
def run_due_report_schedules() -> int:
    return schedules_run_due()
