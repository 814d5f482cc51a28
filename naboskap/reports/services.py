"""Making status reports (their schedules are in `schedules`, their PDF in `documents`).

A report is made once and kept: `report_create` gathers its figures, renders its text in the
report's language and stores both; the PDF is rendered from that stored text once, after
commit (a stored document, see `documents`), so the page and the PDF always say the same
thing.

A period with nothing in it still gives a report: a politician who expects the quarterly
report should get it, and "nothing was recorded this quarter" is itself information. The
report says so at the top. Periods that end before they start, end in the future or are
longer than two years are refused with a message.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from naboskap.documents.services import documents_changed
from naboskap.lib import events
from naboskap.lib.errors import DomainError
from naboskap.reports import content, tasks
from naboskap.reports.documents import STATUS_REPORT
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
    report.full_clean(exclude=["data"])
    report.save()
    documents_changed(kind=STATUS_REPORT, obj=report)  # its PDF, rendered after commit
    # For the municipality's archive (ADR 0033), committed with the report.
    events.emit(events.REPORT_MADE, report, municipality_id=municipality.pk)
    if notify:
        transaction.on_commit(lambda: tasks.email_report.enqueue(report.pk))
    return report
