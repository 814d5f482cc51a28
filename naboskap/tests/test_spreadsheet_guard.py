"""Every CSV and XLSX cell Naboskap writes goes through the formula guard in
`naboskap.lib.spreadsheets`, titles and headings included."""

import csv
import io
import re
from pathlib import Path

from openpyxl import Workbook, load_workbook

from naboskap.lib.spreadsheets import append_row, csv_bytes, set_cell, workbook_bytes

SOURCE = Path(__file__).resolve().parents[1]
GUARD = SOURCE / "lib" / "spreadsheets.py"

# Ways to put a value in a cell without the guard.
UNGUARDED = [
    re.compile(r"\b(sheet|ws|worksheet|book)\s*\[[^\]]+\]\s*=(?!=)"),  # sheet["B1"] = …
    re.compile(r"\.cell\([^)]*\bvalue\s*="),  # sheet.cell(1, 2, value=…)
    re.compile(r"\b(cell|c)\.value\s*=(?!=)"),  # cell.value = …
    re.compile(r"\b(sheet|ws|worksheet)\.append\((?!\[\]\))"),  # sheet.append([...])
    re.compile(r"\.writerows?\((?!\[csv_cell\()"),  # writer.writerow([...]) without csv_cell
]


def python_sources():
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path == GUARD:
            continue
        yield path


def test_no_module_writes_a_cell_around_the_guard():
    found = []
    for path in python_sources():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if any(pattern.search(line) for pattern in UNGUARDED):
                found.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert found == [], "use append_row, set_cell, csv_cell or csv_bytes:\n" + "\n".join(found)


def test_set_cell_and_append_row_keep_formulas_as_text():
    workbook = Workbook()
    sheet = workbook.active
    set_cell(sheet, "B1", '=HYPERLINK("x")')
    set_cell(sheet, "C1", -5)
    append_row(sheet, ["@SUM(A1)", "+47 99 99 99 99", "vanlig tekst"])
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook))).active
    for coordinate in ("B1", "A2", "B2"):
        assert sheet[coordinate].data_type == "s", coordinate
        assert sheet[coordinate].quotePrefix, coordinate
    assert sheet["B1"].value == '=HYPERLINK("x")'
    assert sheet["C1"].value == -5 and sheet["C1"].data_type == "n"  # numbers stay numbers
    assert sheet["C2"].value == "vanlig tekst" and not sheet["C2"].quotePrefix


def test_csv_cells_that_look_like_formulas_get_an_apostrophe():
    data = csv_bytes([["=1+1", "-2", -2, "\tx", "tekst"]])
    (row,) = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    assert row == ["'=1+1", "'-2", "-2", "'\tx", "tekst"]
