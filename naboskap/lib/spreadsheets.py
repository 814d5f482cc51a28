"""Tables for spreadsheet programs: XLSX rows (openpyxl) and CSV files that Excel opens as
they are (UTF-8 with a byte order mark, `;` between fields, as Excel expects in Norway).

Text from users may start with a character that a spreadsheet reads as a formula
(`=HYPERLINK(…)`, `+`, `-`, `@`). In XLSX such text is stored as text with Excel's quote
prefix, so it shows exactly as typed and is never evaluated, not even after the cell is edited.
In CSV, where there are no types, it gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# What a spreadsheet may read as the start of a formula (tab and carriage return too: some
# programs drop them and read what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def guard_cell(cell):
    """Make an openpyxl cell whose text looks like a formula plain text (Excel's quote
    prefix). Every value written to a sheet goes through here, titles and headings too."""
    if cell.data_type == "f" or looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def set_cell(sheet, coordinate: str, value):
    """Write one cell (`set_cell(sheet, "B1", project.name)`), guarded like `append_row`.
    Use it instead of `sheet["B1"] = …` or `sheet.cell(…, value=…)`."""
    cell = sheet[coordinate]
    cell.value = value
    return guard_cell(cell)


def append_row(sheet, values) -> None:
    """Append `values` to an openpyxl sheet; text that looks like a formula stays text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        guard_cell(cell)


def workbook_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_cell(value) -> str:
    """A value as CSV text: dates as ISO dates, nothing as empty, formulas defused."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if looks_like_formula(value):  # text only: a negative number stays a number
        return "'" + value
    return str(value)


def csv_bytes(rows) -> bytes:
    """Rows (lists of values) as a CSV file for Excel: UTF-8 with BOM, `;`, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue().encode("utf-8-sig")
