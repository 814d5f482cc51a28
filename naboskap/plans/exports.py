"""The plan as a spreadsheet (XLSX, openpyxl). The PDF is a template (plans/plan_pdf.html)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from naboskap.lib.spreadsheets import XLSX_TYPE, append_row, workbook_bytes
from naboskap.plans.selectors import source_text

__all__ = ["XLSX_TYPE", "plan_workbook"]


def participations_text(measure) -> str:
    return ", ".join(f"{p.unit.name}: {p.get_part_display()}" for p in measure.participations.all())


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def plan_workbook(project, groups) -> bytes:
    """One sheet, one row per measure, under a heading row per group."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Action plan")[:31]
    bold = Font(bold=True)
    # The project's name is text from staff: guarded like every other cell.
    append_row(sheet, [_("Action and collaboration plan"), project.name])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, [_("Printed"), timezone.localdate()])
    sheet["B2"].number_format = "yyyy-mm-dd"
    sheet.append([])
    headings = [
        _("Group"),
        _("Measure"),
        _("Description (internal)"),
        _("Source"),
        _("Owner unit"),
        _("Responsible person"),
        _("Participating units"),
        _("Due date"),
        _("Status"),
        _("Reason for cancelling"),
        _("Progress (%)"),
        _("Overdue"),
        _("Phase"),
        _("Public"),
        _("Public text"),
    ]
    append_row(sheet, headings)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    for group in groups:
        for measure in group.measures:
            append_row(
                sheet,
                [
                    group.label,
                    measure.title,
                    measure.description,
                    source_text(measure),
                    measure.owner_unit.name,
                    _person(measure.responsible),
                    participations_text(measure),
                    measure.due_date,
                    measure.get_status_display(),
                    measure.cancel_reason,
                    measure.progress,
                    _("Yes") if measure.is_overdue else "",
                    measure.get_phase_display(),
                    _("Yes") if measure.is_public else _("No"),
                    measure.public_text,
                ],
            )
            sheet.cell(sheet.max_row, 8).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = f"C{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headings))}{sheet.max_row}"
    widths = [18, 40, 40, 24, 22, 22, 36, 12, 14, 24, 10, 10, 14, 8, 40]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return workbook_bytes(workbook)
