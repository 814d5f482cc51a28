"""An XLSX import costs bounded memory: a small file that unpacks to a lot is refused before
it is read, and a cell in the last column does not pad every row to 16,384 cells.

The memory cases run in a fresh Python process that measures its own peak resident memory
(`ru_maxrss`) around reading the file the way the import does (`register/files.read_table`).
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from naboskap.conftest import english
from naboskap.stakeholders.models import Organisation
from naboskap.stakeholders.register import files as register_io

REPOSITORY = Path(__file__).resolve().parents[3]
BUDGET_MIB = 100
MIB = 1024 * 1024

READ = """
import gc, json, resource, sys
import django
django.setup()
from django.utils import translation
from naboskap.stakeholders.register import files as register_io
translation.activate("en")
with open(sys.argv[1], "rb") as file:
    data = file.read()
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    table = register_io.read_table(data, "register.xlsx", "utf-8")
    result = {"rows": len(table), "widest": max(len(row) for row in table)}
except register_io.FileProblem as problem:
    result = {"problem": str(problem)}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result["peak_mib"] = (after - before) / 1024  # ru_maxrss is in KiB on Linux
print(json.dumps(result))
"""


def read_in_fresh_process(path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "naboskap.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPOSITORY,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def wide_register(rows: int) -> bytes:
    """A register with one cell in the last column (XFD): every row is 16,384 cells wide."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["navn", "type", *([None] * 16381), "x"])
    for n in range(rows):
        sheet.append([f"Lag {n}", "voluntary"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def register_with_a_long_cell(megabytes: int) -> bytes:
    """A register whose second row's name is `megabytes` MB of one letter (it packs small)."""
    workbook = Workbook()
    workbook.active.append(["navn", "type"])
    workbook.active.append(["PLACEHOLDER", "voluntary"])
    template = io.BytesIO()
    workbook.save(template)
    source = zipfile.ZipFile(template)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if b"PLACEHOLDER" not in data:
                target.writestr(item, data)
                continue
            head, tail = data.split(b"PLACEHOLDER")
            with target.open(item.filename, "w", force_zip64=True) as part:
                part.write(head)
                for _n in range(megabytes):
                    part.write(b"A" * MIB)
                part.write(tail)
    return out.getvalue()


def upload(client, data: bytes):
    return client.post(
        reverse("stakeholders:register_import"),
        {
            "kind": "organisations",
            "file": SimpleUploadedFile("register.xlsx", data),
            "encoding": "cp1252",
        },
    )


def test_a_workbook_that_unpacks_to_too_much_is_refused_whole(world):
    data = register_with_a_long_cell(100)
    assert len(data) < 1024 * 1024
    response = upload(english(world.users["coordinator"]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The workbook is too large when unpacked (more than 40 MB)." in page
    # The rest of the form is as it was sent.
    assert '<option value="cp1252" selected' in page
    assert not Organisation.objects.exists()


def test_columns_past_the_register_are_not_read(world):
    response = upload(english(world.users["coordinator"]), wide_register(3))
    assert response.status_code == 200
    assert "3 rows read: 3 new" in response.content.decode()
    assert set(Organisation.objects.values_list("name", flat=True)) == {"Lag 0", "Lag 1", "Lag 2"}
    table = register_io.read_table(wide_register(2), "register.xlsx", "utf-8")
    assert table == [["navn", "type"], ["Lag 0", "voluntary"], ["Lag 1", "voluntary"]]


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_wide_workbook_is_read_within_the_budget(tmp_path):
    # 100 kB on disk; read whole, its 5,000 rows of 16,384 cells each used to cost about
    # 650 MB (2,000 such rows measured 270 MB).
    path = tmp_path / "wide.xlsx"
    path.write_bytes(wide_register(5000))
    assert path.stat().st_size < 300_000
    result = read_in_fresh_process(path)
    assert result["rows"] == 5001 and result["widest"] == 2
    assert result["peak_mib"] < BUDGET_MIB


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_long_cell_is_refused_or_read_within_the_budget(tmp_path):
    path = tmp_path / "long.xlsx"
    path.write_bytes(register_with_a_long_cell(100))
    refused = read_in_fresh_process(path)
    assert refused["problem"].startswith("The workbook is too large when unpacked")
    assert refused["peak_mib"] < 10
    # Just under the limit, it is read, at about twice its unpacked size.
    limit_mb = register_io.XLSX_MAX_UNPACKED_BYTES // MIB
    path.write_bytes(register_with_a_long_cell(limit_mb - 1))
    read = read_in_fresh_process(path)
    assert read["rows"] == 2
    assert read["peak_mib"] < BUDGET_MIB
