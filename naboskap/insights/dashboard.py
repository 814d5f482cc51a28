"""The dashboards' charts and tables, and the same numbers as CSV and XLSX.

`sections(numbers)` turns the `metrics.Dashboard` into titled tables; the page draws a chart
for each (with the table beside it) and the exports write exactly these tables, so what the
page shows and what a spreadsheet gets are the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from naboskap.insights import metrics
from naboskap.lib import charts
from naboskap.lib.spreadsheets import append_row, csv_bytes, workbook_bytes
from naboskap.risk.models import Colour


@dataclass
class Section:
    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    chart: SafeString | None = None
    note: str = ""
    # Shown as a table of its own under the chart: it has more columns than the chart's data.
    full_table: bool = False


def month_label(month) -> str:
    return date_format(month, "M Y")


def colour_label(colour: str) -> str:
    return str(Colour(colour).label) if colour else _("Not scored")


def key_figures(d: metrics.Dashboard) -> list[tuple[str, object]]:
    """(label, value) of the headline numbers; None is shown as "–"."""
    return [
        (_("Concerns received"), d.deadlines.received),
        (_("Acknowledged in time (%)"), d.deadlines.acknowledged_percent),
        (_("Answered in time (%)"), d.deadlines.answered_percent),
        (_("Median days to first answer"), d.deadlines.median_days_to_answer),
        (_("Open concerns overdue today"), d.deadlines.overdue),
        (_("Open measures"), d.measures.open),
        (_("Overdue measures"), d.measures.overdue),
        (_("Unwanted events to re-assess"), d.risk.flagged),
        (_("Council meetings"), d.council.meetings),
        (_("Attendance (%)"), d.council.attendance_percent),
        (_("Routine tasks closed (%)"), d.routines.percent),
    ]


def sections(d: metrics.Dashboard, *, with_charts: bool = True) -> list[Section]:
    """The dashboard as titled tables (and, for the page, their charts)."""
    result = []
    period = _("%(start)s to %(end)s") % {
        "start": date_format(d.period.start, "j. F Y"),
        "end": date_format(d.period.end, "j. F Y"),
    }

    # Concerns per month and category.
    months = [month_label(m) for m in d.concerns.months]
    section = Section(
        "concerns",
        _("Concerns per month by category"),
        [_("Month"), *[name for name, _v in d.concerns.series]],
        [
            [label, *[values[i] for _n, values in d.concerns.series]]
            for i, label in enumerate(months)
        ],
        note=period,
    )
    if with_charts:
        section.chart = charts.bar_chart(
            title=section.title,
            labels=months,
            series=d.concerns.series,
            stacked=True,
            label_header=_("Month"),
            summary=_received(d.concerns.total, period)
            + (" " + _top_category(d.concerns) if d.concerns.total else ""),
            empty_message=_("No concerns in this period."),
        )
    result.append(section)

    # Concerns by how they were received (web, Open311, phone, letter …).
    section = Section(
        "channels",
        _("Concerns by how they were received"),
        [_("Received by"), _("Concerns")],
        [[label, count] for label, count in d.concerns.by_channel],
        note=period,
    )
    if with_charts:
        section.chart = charts.bar_chart(
            title=section.title,
            labels=[label for label, _count in d.concerns.by_channel],
            series=[(_("Concerns"), [count for _label, count in d.concerns.by_channel])],
            label_header=_("Received by"),
            summary=_received(d.concerns.total, period),
            empty_message=_("No concerns in this period."),
        )
    result.append(section)

    # Deadlines.
    dl = d.deadlines
    section = Section(
        "deadlines",
        _("Deadlines kept"),
        [_("Deadline"), _("Kept"), _("Due so far"), _("Kept (%)")],
        [
            [
                _("Acknowledged"),
                dl.acknowledged_in_time,
                dl.acknowledge_decided,
                dl.acknowledged_percent,
            ],
            [_("Answered"), dl.answered_in_time, dl.answer_decided, dl.answered_percent],
        ],
        full_table=True,
        note=_("Median days from receipt to the first answer: %(days)s (%(n)s answered).")
        % {"days": charts.format_value(dl.median_days_to_answer, decimals=1), "n": dl.answered},
    )
    if with_charts:
        section.chart = charts.bar_chart(
            title=section.title,
            labels=[_("Acknowledged in time"), _("Answered in time")],
            series=[(_("Share kept"), [dl.acknowledged_percent, dl.answered_percent])],
            unit="%",
            decimals=1,
            summary=_(
                "%(ack)s acknowledged and %(answer)s answered by their due date; median "
                "%(days)s days to a first answer."
            )
            % {
                "ack": charts.format_value(dl.acknowledged_percent, decimals=1, unit="%"),
                "answer": charts.format_value(dl.answered_percent, decimals=1, unit="%"),
                "days": charts.format_value(dl.median_days_to_answer, decimals=1),
            },
            empty_message=_("No concern has reached a due date in this period."),
        )
    result.append(section)

    # Measures by owner unit.
    rows = d.measures.rows
    section = Section(
        "measures",
        _("Open and overdue measures by unit"),
        [_("Unit"), _("Open"), _("Overdue")],
        [[row.unit, row.open, row.overdue] for row in rows],
    )
    if with_charts:
        section.chart = charts.bar_chart(
            title=section.title,
            labels=[row.unit for row in rows],
            series=[(_("Open"), [r.open for r in rows]), (_("Overdue"), [r.overdue for r in rows])],
            looks=[charts.STATE_LOOKS["open"], charts.STATE_LOOKS["overdue"]],
            label_header=_("Unit"),
            summary=ngettext(
                "%(open)s open measure, %(overdue)s of them overdue.",
                "%(open)s open measures, %(overdue)s of them overdue.",
                d.measures.open,
            )
            % {"open": d.measures.open, "overdue": d.measures.overdue},
            empty_message=_("No open measures."),
        )
    result.append(section)

    # Risk profile.
    risk_rows = d.risk.rows()
    labels = [colour_label(colour) for colour, _b, _a in risk_rows]
    section = Section(
        "risk",
        _("Risk profile: unwanted events by risk level"),
        [_("Risk level"), _("Before measures"), _("After measures")],
        [
            [label, before, after]
            for label, (_c, before, after) in zip(labels, risk_rows, strict=True)
        ],
        note=ngettext(
            "%(n)s of %(events)s event is observed more often than assessed and should be "
            "re-assessed.",
            "%(n)s of %(events)s events are observed more often than assessed and should be "
            "re-assessed.",
            d.risk.events,
        )
        % {"n": d.risk.flagged, "events": d.risk.events},
    )
    if with_charts:
        # One bar per risk level, in the matrix's own colour and pattern and named in the
        # legend and the table, for the events before and after their measures.
        section.chart = charts.bar_chart(
            title=section.title,
            labels=[_("Before measures"), _("After measures")],
            series=[
                (label, [before, after])
                for label, (_c, before, after) in zip(labels, risk_rows, strict=True)
            ],
            looks=[charts.RISK_LOOKS[colour] for colour, _b, _a in risk_rows],
            summary=ngettext(
                "%(events)s event in the current analyses: %(red)s red before measures, "
                "%(red_after)s after. %(flagged)s to re-assess.",
                "%(events)s events in the current analyses: %(red)s red before measures, "
                "%(red_after)s after. %(flagged)s to re-assess.",
                d.risk.events,
            )
            % {
                "events": d.risk.events,
                "red": d.risk.before.get(Colour.RED, 0),
                "red_after": d.risk.after.get(Colour.RED, 0),
                "flagged": d.risk.flagged,
            },
            empty_message=_("No unwanted events in the current analyses."),
        )
    result.append(section)

    # Council activity.
    quarters = d.council.quarters
    section = Section(
        "council",
        _("Council activity per quarter"),
        [_("Quarter"), _("Meetings"), _("Present"), _("Attendance recorded"), _("Attendance (%)")],
        [[q.label, q.meetings, q.present, q.recorded, q.attendance_percent] for q in quarters],
        full_table=True,
    )
    if with_charts:
        section.chart = charts.bar_chart(
            title=_("Council meetings per quarter"),
            labels=[q.label for q in quarters],
            series=[(_("Meetings"), [q.meetings for q in quarters])],
            label_header=_("Quarter"),
            summary=ngettext(
                "%(n)s meeting; %(att)s of recorded members present.",
                "%(n)s meetings; %(att)s of recorded members present.",
                d.council.meetings,
            )
            % {
                "n": d.council.meetings,
                "att": charts.format_value(d.council.attendance_percent, decimals=1, unit="%"),
            },
            empty_message=_("No council meetings in this period."),
        )
    result.append(section)

    # Routine progress.
    phases = d.routines.phases
    section = Section(
        "routines",
        _("Routine progress by phase"),
        [_("Phase"), _("Done"), _("Not relevant"), _("Open"), _("Closed (%)")],
        [[str(p.label), p.done, p.not_relevant, p.open, p.percent] for p in phases],
        full_table=True,
    )
    if with_charts:
        section.chart = charts.bar_chart(
            title=section.title,
            labels=[str(p.label) for p in phases],
            series=[
                (_("Done"), [p.done for p in phases]),
                (_("Not relevant"), [p.not_relevant for p in phases]),
                (_("Open"), [p.open for p in phases]),
            ],
            looks=[
                charts.STATE_LOOKS["done"],
                charts.STATE_LOOKS["not_relevant"],
                charts.STATE_LOOKS["open"],
            ],
            stacked=True,
            label_header=_("Phase"),
            summary=ngettext(
                "%(closed)s of %(total)s checklist task closed (%(percent)s).",
                "%(closed)s of %(total)s checklist tasks closed (%(percent)s).",
                d.routines.total,
            )
            % {
                "closed": d.routines.closed,
                "total": d.routines.total,
                "percent": charts.format_value(d.routines.percent, decimals=1, unit="%"),
            },
            empty_message=_("No routine tasks yet."),
        )
    result.append(section)

    # Survey trend.
    survey = d.survey
    section = Section(
        "survey",
        _("Neighbour survey: trend"),
        [_("Question"), *survey.labels],
        [[question, *values] for question, values in survey.series],
        note=_(
            "Mean answer from 1 (strongly disagree) to 5 (strongly agree); no figure under "
            "%(n)s answers."
        )
        % {"n": metrics.MIN_GROUP_SIZE},
    )
    if with_charts:
        section.chart = charts.line_chart(
            title=section.title,
            labels=survey.labels,
            series=survey.series,
            y_min=1,
            y_max=5,
            decimals=1,
            empty_message=_("No survey results with enough answers yet."),
        )
    result.append(section)
    return result


def _received(total: int, period: str) -> str:
    return ngettext(
        "%(total)s concern received from %(period)s.",
        "%(total)s concerns received from %(period)s.",
        total,
    ) % {"total": total, "period": period}


def _top_category(concerns: metrics.ConcernsPerMonth) -> str:
    name, values = max(concerns.series, key=lambda item: sum(item[1]))
    return _("Most in %(category)s (%(n)s).") % {"category": name, "n": sum(values)}


def as_csv(title: str, d: metrics.Dashboard) -> bytes:
    """All sections one below the other: title, header, rows, an empty line."""
    rows: list[list] = [[title], [_("Period"), d.period.start, d.period.end], []]
    rows += [[_("Key figures")], *[[label, value] for label, value in key_figures(d)], []]
    for section in sections(d, with_charts=False):
        rows += [[section.title], section.header, *section.rows]
        if section.note:
            rows.append([section.note])
        rows.append([])
    return csv_bytes(rows)


def as_xlsx(title: str, d: metrics.Dashboard) -> bytes:
    """One sheet of key figures, then one sheet per section."""
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(_("Key figures"))
    append_row(sheet, [title])
    append_row(sheet, [_("Period"), d.period.start, d.period.end])
    for label, value in key_figures(d):
        append_row(sheet, [label, value])
    for section in sections(d, with_charts=False):
        sheet = book.create_sheet(_sheet_title(section.title))
        append_row(sheet, [str(cell) for cell in section.header])
        for row in section.rows:
            append_row(
                sheet, [c if c is None or isinstance(c, int | float) else str(c) for c in row]
            )
        if section.note:
            append_row(sheet, [])
            append_row(sheet, [section.note])
    return workbook_bytes(book)


def _sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31]
