"""Address benchmarks of `make bench` (issue 6): importing 1,000,000 addresses, and the 200 m
neighbour list among them, each against a baseline of 10,000 in the same run; and importing
3,000,000 (issue 26: the import's memory must not grow with the file).

    BENCH address_import rows=1000000 rows_per_s=... peak_rss_mb=... ... ratio=...
    BENCH address_import rows=3000000 rows_per_s=... peak_rss_mb=... ... ratio=...
    BENCH neighbour_list addresses=1000000 database=... median_ms=... ... ratio=...

The rows are generated into a Kartverket-layout CSV file in the temporary VAR_DIR (random
points in a 40 km square around Oslo, EPSG:25833), imported with `manage.py import_addresses`
in a subprocess of its own, whose peak resident memory comes from `os.wait4` (that child
only). `rows_per_s` is over the import's own time as the command reports it (without
starting Python and Django). `ratio` of an import is its time per row over that at 10,000;
of the list, the median at 1,000,000 over that at 10,000. Peak RSS must stay under
TARGET_RSS_MB at both 1,000,000 and 3,000,000 rows; the 3,000,000 are deleted again after
their import, so the neighbour list and the benchmarks after this one see the database they
saw before. The neighbour list is
`services.neighbour_list_compute` (query, exact distances, and saving the entries) for a
project moved to RUNS different addresses; `query_ms` is the median of the address query
with the distances alone. Used by bench/run.py; see bench/README.md.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import run as core

ROWS = 1_000_000
LARGE_ROWS = 3_000_000
BASELINE_ROWS = 10_000
RUNS = 15
RADIUS_M = 200
# A 40 km square of EUREF89 UTM 33 around Oslo: 625 addresses per km², a dense town.
ORIGIN = (242_000.0, 6_630_000.0)
SIDE_M = 40_000.0
TARGET_RSS_MB = 200
TARGET_LIST_MS = 200
MUNICIPALITIES = {
    # Numbers of their own: 9901-9905 are the other benchmarks' municipalities.
    ROWS: ("Adressevik kommune", "9907", "adressevik"),
    BASELINE_ROWS: (
        "Smaavik kommune",
        "9908",
        "smaavik",
    ),
    LARGE_ROWS: ("Storvik kommune", "9906", "storvik"),
}
HEADER = (
    "lokalId;kommunenummer;kommunenavn;adressetype;adressenavn;nummer;bokstav;"
    "EPSG-kode;Nord;Øst;postnummer;poststed;adresseId"
)


def generate(path: Path, rows: int, number: str, seed: int) -> None:
    """`rows` addresses at random points of the square, written a chunk at a time."""
    generator = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        lines = []
        for index in range(1, rows + 1):
            east = ORIGIN[0] + generator.random() * SIDE_M
            north = ORIGIN[1] + generator.random() * SIDE_M
            letter = "A" if index % 7 == 0 else ""
            lines.append(
                f"{number}{index:08d};{number};BENKVIK;vegadresse;Gate {index % 5000};"
                f"{index % 200 + 1};{letter};25833;{north:.2f};{east:.2f};0{index % 900 + 100};"
                f"OSLO;{index}\n"
            )
            if len(lines) == 10_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def phase_setup() -> dict:
    """A municipality with a coordinator and a project for each size."""
    core.django_setup()
    from naboskap.testing import factories

    for name, number, slug in MUNICIPALITIES.values():
        municipality = factories.MunicipalityFactory(name=name, number=number, slug=slug)
        factories.ProjectFactory(
            municipality=municipality,
            name=f"Naboveien {number}",
            slug="naboveien",
            responsible_unit=factories.UnitFactory(municipality=municipality, name="Eiendom"),
            dialogue_owner=factories.UserFactory(username=f"benk-adresser-{number}"),
        )
    return {"ok": True}


def phase_neighbours(slug: str, runs: int) -> dict:
    """Median milliseconds of computing the 200 m neighbour list at `runs` addresses."""
    core.django_setup()
    from decimal import Decimal

    from django.db import connection

    from naboskap.projects.models import Project
    from naboskap.stakeholders import services
    from naboskap.stakeholders.models import Address
    from naboskap.stakeholders.sources import address_source

    project = Project.objects.select_related("municipality").get(municipality__slug=slug)
    addresses = Address.objects.filter(municipality=project.municipality)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would after a large import
            cursor.execute(f"ANALYZE {Address._meta.db_table}")
    count = addresses.count()
    low, high = (
        addresses.order_by("pk").values_list("pk", flat=True)[:1][0],
        addresses.latest("pk").pk,
    )
    generator = random.Random(6)
    seconds, query_seconds, entries = [], [], []
    source = address_source()
    for run in range(runs + 1):
        centre = addresses.filter(pk__gte=generator.randint(low, high)).order_by("pk").first()
        project.latitude = Decimal(f"{centre.latitude:.6f}")
        project.longitude = Decimal(f"{centre.longitude:.6f}")
        project.save(update_fields=["latitude", "longitude"])
        began = time.perf_counter()
        neighbour_list = services.neighbour_list_compute(project=project, radius_m=RADIUS_M)
        took = time.perf_counter() - began
        began = time.perf_counter()
        found = source.within(
            municipality=project.municipality,
            latitude=float(project.latitude),
            longitude=float(project.longitude),
            radius_m=RADIUS_M,
        )
        query_took = time.perf_counter() - began
        if neighbour_list.entries.count() != len(found) or not found:
            raise core.BenchError(f"neighbour list of {len(found)} addresses is inconsistent")
        if run:  # the first is a warm-up
            seconds.append(took)
            query_seconds.append(query_took)
            entries.append(len(found))
    return {
        "addresses": count,
        "median_ms": statistics.median(seconds) * 1000,
        "query_ms": statistics.median(query_seconds) * 1000,
        "entries": statistics.median(entries),
        "database": connection.vendor,
    }


def phase_drop(slug: str) -> dict:
    """Delete a municipality's addresses in one statement (no model instances in memory)."""
    core.django_setup()
    from django.db import connection

    from naboskap.stakeholders.models import Address
    from naboskap.tenancy.models import Municipality

    municipality = Municipality.objects.get(slug=slug)
    quote = connection.ops.quote_name
    table = quote(Address._meta.db_table)
    column = quote(Address._meta.get_field("municipality").column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [municipality.pk])
        return {"deleted": cursor.rowcount}


PHASES = {
    "_addresses_setup": lambda argv: phase_setup(),
    "_addresses_drop": lambda argv: phase_drop(argv[2]),
    "_neighbours": lambda argv: phase_neighbours(argv[2], int(argv[3])),
}


def import_file(env: dict, var_dir: Path, slug: str, path: Path) -> dict:
    """Run `manage.py import_addresses` in a child of its own: seconds and peak RSS."""
    out = var_dir / f"import-{slug}.out"
    command = [sys.executable, "manage.py", "import_addresses", slug, str(path), "--no-progress"]
    with out.open("w") as log:
        began = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=core.ROOT, stdout=log, stderr=log)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text()
    summary = re.search(r"rows read in ([\d.]+) s", text)
    if child.returncode != 0 or "0 rows with errors" not in text or summary is None:
        sys.stderr.write(text[-4000:])
        raise core.BenchError(f"import_addresses {slug} failed (exit {child.returncode})")
    return {
        "seconds": seconds,
        # The import itself, as the command reports it: without starting Python and Django.
        "import_seconds": float(summary[1]),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def import_line(rows: int, measured: dict, baseline: dict) -> str:
    """The BENCH line of one import against the baseline's."""
    rate = rows / measured["import_seconds"]
    baseline_rate = BASELINE_ROWS / baseline["import_seconds"]
    return (
        f"BENCH address_import rows={rows} rows_per_s={rate:.0f} "
        f"peak_rss_mb={measured['peak_rss_mb']:.0f} seconds={measured['seconds']:.1f} "
        f"cpu_seconds={measured['cpu_seconds']:.1f} "
        f"baseline_rows={BASELINE_ROWS} baseline_rows_per_s={baseline_rate:.0f} "
        f"baseline_peak_rss_mb={baseline['peak_rss_mb']:.0f} ratio={baseline_rate / rate:.2f}"
    )


def run_benchmarks(args, env: dict, var_dir: Path) -> list[str]:
    core.log(f"addresses: generate {BASELINE_ROWS:,}, {ROWS:,} and {LARGE_ROWS:,} rows")
    core.run_phase(env, "_addresses_setup")
    imports = {}
    for rows, (_name, number, slug) in sorted(MUNICIPALITIES.items()):
        path = var_dir / f"adresser-{rows}.csv"
        generate(path, rows, number, seed=rows)
        core.log(f"addresses: import {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB)")
        imports[rows] = import_file(env, var_dir, slug, path)
        path.unlink()
    core.log(f"addresses: remove the {LARGE_ROWS:,} again")
    core.run_phase(env, "_addresses_drop", MUNICIPALITIES[LARGE_ROWS][2])
    for rows in (ROWS, LARGE_ROWS):
        print(import_line(rows, imports[rows], imports[BASELINE_ROWS]), flush=True)
    lists = {}
    for rows in (BASELINE_ROWS, ROWS):
        slug = MUNICIPALITIES[rows][2]
        core.log(f"addresses: {RADIUS_M} m neighbour list among {rows:,}, {RUNS} centres")
        lists[rows] = core.run_phase(env, "_neighbours", slug, str(RUNS))
    big_list, small_list = lists[ROWS], lists[BASELINE_ROWS]
    print(
        f"BENCH neighbour_list addresses={big_list['addresses']} "
        f"database={big_list['database']} median_ms={big_list['median_ms']:.1f} "
        f"query_ms={big_list['query_ms']:.1f} entries={big_list['entries']:.0f} "
        f"baseline_addresses={small_list['addresses']} "
        f"baseline_median_ms={small_list['median_ms']:.1f} "
        f"ratio={big_list['median_ms'] / small_list['median_ms']:.2f}",
        flush=True,
    )
    for rows in (ROWS, LARGE_ROWS):
        met = "met" if imports[rows]["peak_rss_mb"] < TARGET_RSS_MB else "NOT met"
        print(
            f"# target address_import rows={rows} peak_rss_mb < {TARGET_RSS_MB}: {met}", flush=True
        )
    list_met = "met" if big_list["median_ms"] < TARGET_LIST_MS else "NOT met"
    print(f"# target neighbour_list median_ms < {TARGET_LIST_MS}: {list_met}", flush=True)
    failures = []
    if big_list["addresses"] != ROWS or small_list["addresses"] != BASELINE_ROWS:
        failures.append(f"addresses: imported {big_list['addresses']}, not {ROWS}")
    return failures
