"""Making status reports and running their schedules.

A report is made once and kept: `report_create` gathers its figures, renders its text in the
report's language and stores both; the PDF is rendered from that stored text once, after
commit (`tasks.render_report_pdf`), so the page and the PDF always say the same thing.

A period with nothing in it still gives a report: a politician who expects the quarterly
report should get it, and "nothing was recorded this quarter" is itself information. The
report says so at the top. Periods that end before they start, end in the future or are
longer than two years are refused with a message.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from naboskap.lib.errors import DomainError
from naboskap.lib.pdf import render_pdf
from naboskap.reports import content, tasks
from naboskap.reports.models import ReportSchedule, StatusReport
from naboskap.reports.selectors import Scope, previous_report

MAX_PERIOD_DAYS = 2 * 366


class ReportError(DomainError):
    """A report that cannot be made as asked; the message says why."""


def check_period(start: datetime.date, end: datetime.date, today: datetime.date) -> None:
    if start is None or end is None:
        raise ReportError(_("Give both the first and the last day of the period."))
    if end < start:
        raise ReportError(_("The period ends before it starts. Check the dates."))
    if end > today:
        raise ReportError(
            _("The period cannot end in the future. The last day it can cover is today, %(date)s.")
            % {"date": formats.date_format(today, "j. F Y")}
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ReportError(_("A report covers at most two years. Choose a shorter period."))


def report_title(scope: Scope, start: datetime.date, end: datetime.date) -> str:
    return _("Status report for %(scope)s, %(start)s – %(end)s") % {
        "scope": scope.project.name if scope.project is not None else scope.municipality.name,
        "start": formats.date_format(start, "j. F Y"),
        "end": formats.date_format(end, "j. F Y"),
    }


@transaction.atomic
def report_create(
    *,
    municipality,
    project=None,
    period_start: datetime.date,
    period_end: datetime.date,
    created_by=None,
    schedule: ReportSchedule | None = None,
    language: str | None = None,
    notify: bool = False,
) -> StatusReport:
    """Make and keep a status report of a municipality (or of one of its projects) for the
    period, and email its politicians a link when `notify`."""
    if project is not None and project.municipality_id != municipality.pk:
        raise ReportError(_("The project belongs to another municipality."))
    today = timezone.localdate()
    check_period(period_start, period_end, today)
    language = language or translation.get_language() or municipality.default_language
    scope = Scope(municipality=municipality, project=project)
    previous = previous_report(scope, period_end)
    since = period_start
    if previous is not None:
        since = previous.period_end + datetime.timedelta(days=1)
    with translation.override(language):
        data, charts = content.collect(scope, period_start, period_end, since, today)
        data["previous"] = (
            {"start": previous.period_start, "end": previous.period_end} if previous else None
        )
        body_html = render_to_string(
            "reports/includes/body.html", content.body_context(data, charts)
        )
        title = report_title(scope, period_start, period_end)
    report = StatusReport(
        municipality=municipality,
        project=project,
        period_start=period_start,
        period_end=period_end,
        since=since,
        previous=previous,
        trigger=StatusReport.Trigger.SCHEDULED if schedule else StatusReport.Trigger.ON_DEMAND,
        schedule=schedule,
        language=language,
        title=title,
        data=data,
        body_html=body_html,
        is_empty=data["empty"],
        created_by=created_by,
    )
    report.full_clean(exclude=["pdf", "data"])
    report.save()

    transaction.on_commit(lambda: tasks.render_report_pdf.enqueue(report.pk))
    if notify:
        transaction.on_commit(lambda: tasks.email_report.enqueue(report.pk))
    return report


def report_pdf_bytes(report: StatusReport) -> bytes:
    with translation.override(report.language):
        return render_pdf("reports/report_pdf.html", {"report": report})


def report_render_pdf(*, report: StatusReport) -> StatusReport:
    """Render the report's PDF from its stored text, once: a report that has its PDF keeps
    it. Returns the report with its PDF."""
    if report.pdf:
        return report
    pdf = report_pdf_bytes(report)
    with transaction.atomic():
        locked = StatusReport.objects.select_for_update().get(pk=report.pk)
        if locked.pdf:  # another worker was first
            report.pdf = locked.pdf
            return report
        locked.pdf.save(f"{report.pk}.pdf", ContentFile(pdf), save=False)
        StatusReport.objects.filter(pk=report.pk).update(pdf=locked.pdf.name)
        report.pdf = locked.pdf
    return report


# Schedules ----------------------------------------------------------------------------------

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
    transaction.on_commit(
        lambda: tasks.run_report_schedule.using(run_after=when).enqueue(schedule.pk)
    )


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


def schedules_run_due(today: datetime.date | None = None) -> int:
    """Run every schedule that is due. Returns how many reports were made."""
    return sum(schedule_run(pk, today) is not None for pk in due_schedules(today))
