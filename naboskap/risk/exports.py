"""An analysis's unwanted events as a spreadsheet: XLSX (openpyxl) and CSV for Excel, one
row per event. The full report is a template (risk/report.html, risk/report_pdf.html)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from naboskap.lib.spreadsheets import append_row, csv_bytes, workbook_bytes
from naboskap.risk.selectors import AFTER, BEFORE


def _word(cell) -> str:
    return str(cell.word) if cell is not None else ""


def event_headings(scale) -> list[str]:
    headings = [_("No."), _("Unwanted event"), _("Probability before measures")]
    for dimension in scale.dimensions:
        headings += [
            _("%(dimension)s: consequence before measures") % {"dimension": dimension.name},
            _("%(dimension)s: risk before measures") % {"dimension": dimension.name},
        ]
    headings.append(_("Probability after measures"))
    for dimension in scale.dimensions:
        headings += [
            _("%(dimension)s: consequence after measures") % {"dimension": dimension.name},
            _("%(dimension)s: risk after measures") % {"dimension": dimension.name},
        ]
    headings += [
        _("Overall risk before measures"),
        _("Overall risk after measures"),
        _("Strength of knowledge"),
        _("Measures"),
        _("Acceptance"),
        _("Reason for the decision"),
    ]
    return headings


def event_rows(scale, risks) -> list[list]:
    """One row per event, in the order of `event_headings`."""
    rows = []
    for risk in risks:
        event = risk.event
        row = [event.number, event.title]
        for stage, probability in (
            (BEFORE, event.probability),
            (AFTER, event.residual_probability),
        ):
            row.append(probability)
            for dimension in scale.dimensions:
                score = risk.scores[stage].get(dimension.key)
                row += [
                    score.level if score else None,
                    _word(risk.cells[stage].get(dimension.key)),
                ]
        row += [
            _word(risk.before),
            _word(risk.after),
            event.get_knowledge_display(),
            len(risk.measures),
            event.get_acceptance_display() if event.acceptance else "",
            event.acceptance_reason,
        ]
        rows.append(row)
    return rows


def events_workbook(analysis, scale, risks) -> bytes:
    """One sheet: the analysis's title, then a heading row and a row per event."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Unwanted events")[:31]
    append_row(sheet, [_("Risk and vulnerability analysis"), analysis.title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(
        sheet,
        [
            analysis.project.name,
            _("Revision %(revision)d") % {"revision": analysis.revision},
            analysis.get_status_display(),
        ],
    )
    append_row(sheet, [_("Printed"), timezone.localdate()])
    sheet["B3"].number_format = "yyyy-mm-dd"
    sheet.append([])
    headings = event_headings(scale)
    append_row(sheet, headings)
    header_row = sheet.max_row
    bold = Font(bold=True)
    for cell in sheet[header_row]:
        cell.font = bold
    for row in event_rows(scale, risks):
        append_row(sheet, row)
    sheet.freeze_panes = f"C{header_row + 1}"
    last = get_column_letter(len(headings))
    sheet.auto_filter.ref = f"A{header_row}:{last}{sheet.max_row}"
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 40
    for index in range(3, len(headings) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.column_dimensions[last].width = 40
    return workbook_bytes(workbook)


def events_csv(scale, risks) -> bytes:
    """A heading row and a row per event, for Excel (UTF-8 with BOM, `;`)."""
    return csv_bytes([event_headings(scale), *event_rows(scale, risks)])
