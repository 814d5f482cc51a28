"""The address import in bounded memory (issue 26): the file is read and saved a batch at a
time, and what needs the whole file (an id repeated in a later batch, new against updated
addresses) is asked of the database. These tests import in batches of a few rows, written a
couple of rows per statement, so that every rule is exercised across batches and statements.
"""

import tracemalloc

import pytest

from naboskap.stakeholders.addresses import importer
from naboskap.stakeholders.models import Address, AddressImport
from naboskap.stakeholders.tests.factories import csv_file, row
from naboskap.stakeholders.tests.test_import import run
from naboskap.testing.factories import MunicipalityFactory

BATCH = 3


@pytest.fixture
def fjordby(db):
    return MunicipalityFactory(name="Fjordby kommune", slug="fjordby", number="9911")


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", BATCH)
    monkeypatch.setattr(importer, "ROWS_PER_STATEMENT", 2)


def numbered(ids, offset=0):
    return [row(f"a-{n}", str(n + offset)) for n in ids]


def saved():
    """The register as the rows say, without the time of the import."""
    return list(
        Address.objects.order_by("external_id").values_list(
            "external_id", "street", "number", "letter", "postcode", "latitude", "easting"
        )
    )


def test_an_id_repeated_in_a_later_batch_or_the_same_one_is_reported(
    fjordby, tmp_path, small_batches
):
    path = csv_file(
        tmp_path,
        *numbered(range(1, 11)),  # lines 2-11, in batches of three
        row("a-1", "99"),  # 12: the first batch's id
        row("a-5", "98"),  # 13: the second batch's
        row("a-11", "11"),  # 14
        row("a-11", "12"),  # 15: the same batch's
    )
    out, err = run("fjordby", str(path))
    assert "line 12: the id a-1 appears earlier in the file; this row is skipped" in err
    assert "line 13: the id a-5 appears earlier in the file" in err
    assert "line 15: the id a-11 appears earlier in the file" in err
    assert "line 14" not in err
    assert "14 rows read" in out and "11 new and 0 updated" in out
    assert "3 rows with errors skipped" in out
    # The first row of an id is the one kept.
    assert Address.objects.get(external_id="a-1").number == 1
    assert Address.objects.get(external_id="a-11").number == 11
    assert [line for line, _reason in AddressImport.objects.get().errors] == [12, 13, 15]


def test_a_row_outside_norway_still_makes_its_id_read(fjordby, tmp_path, small_batches):
    """As before the redesign: the id of a row that could be read counts as appearing in the
    file even when its coordinates then fall outside Norway."""
    path = csv_file(
        tmp_path,
        row("far", north="1000", east="2000"),  # line 2
        *numbered(range(1, 5)),  # 3-6
        row("far", "7"),  # 7, two batches later
    )
    _out, err = run("fjordby", str(path))
    assert "line 2: the coordinates are not in Norway" in err
    assert "line 7: the id far appears earlier in the file" in err
    assert not Address.objects.filter(external_id="far").exists()


def test_reimports_in_batches_count_new_and_updated_and_change_nothing_twice(
    fjordby, tmp_path, small_batches
):
    out, _err = run("fjordby", str(csv_file(tmp_path, *numbered(range(1, 8)), name="old.csv")))
    assert "7 new and 0 updated" in out
    newer = csv_file(tmp_path, *numbered(range(5, 13), offset=100), name="new.csv")
    out, _err = run("fjordby", str(newer))
    assert "5 new and 3 updated" in out
    register = saved()
    assert len(register) == 12  # a-1 to a-4 are not in the newer file, and are kept
    assert Address.objects.get(external_id="a-5").number == 105
    out, _err = run("fjordby", str(newer))
    assert "0 new and 8 updated" in out and "0 rows with errors" in out
    assert saved() == register


def test_new_addresses_are_counted_in_their_municipality_alone(fjordby, tmp_path, small_batches):
    """A real import counts its new addresses once, at its end, as those of the municipality
    made after the register's newest: other municipalities' imports in between do not count."""
    MunicipalityFactory(name="Nabovik kommune", slug="nabovik", number="9912")
    run("fjordby", str(csv_file(tmp_path, *numbered(range(1, 4)), name="first.csv")))
    out, _err = run("nabovik", str(csv_file(tmp_path, row("n-1", municipality="9912"))))
    assert "1 new and 0 updated" in out
    out, _err = run("fjordby", str(csv_file(tmp_path, *numbered(range(2, 7)), name="second.csv")))
    assert "3 new and 2 updated" in out
    record = AddressImport.objects.filter(municipality=fjordby).first()
    assert (record.created, record.updated, record.rows) == (3, 2, 5)


def test_a_dry_run_in_batches_counts_as_the_import_and_saves_nothing(
    fjordby, tmp_path, small_batches
):
    run("fjordby", str(csv_file(tmp_path, *numbered(range(1, 5)), name="old.csv")))
    register = saved()
    path = csv_file(tmp_path, *numbered(range(3, 10), offset=50), row("a-3"), name="new.csv")
    dry, dry_err = run("fjordby", str(path), dry_run=True, no_progress=True)
    assert "5 new and 2 updated addresses would be saved (dry run)" in dry
    assert "line 9: the id a-3 appears earlier in the file" in dry_err
    assert saved() == register
    out, err = run("fjordby", str(path), no_progress=True)
    assert "5 new and 2 updated addresses saved" in out and err == dry_err
    assert dry.split(" rows read")[0] == out.split(" rows read")[0]


def test_a_file_failing_late_saves_nothing_and_the_next_import_works(
    fjordby, tmp_path, small_batches
):
    """The table of ids read goes with the failed import's rollback: the next import, on the
    same database connection, makes it anew."""
    path = csv_file(tmp_path, *numbered(range(1, 10)), 'a-10;9911;"' + "x" * 200_000 + '"')
    failing = pytest.raises(importer.ImportFailed, match="cannot be read as CSV near line 11")
    with failing, path.open("rb") as stream:
        importer.import_addresses(municipality=fjordby, stream=stream, size=path.stat().st_size)
    assert not Address.objects.exists()
    out, _err = run("fjordby", str(csv_file(tmp_path, *numbered(range(1, 5)), name="good.csv")))
    assert "4 new and 0 updated" in out


def test_python_memory_does_not_grow_with_the_rows(fjordby, tmp_path, monkeypatch):
    """Nothing is kept per row between batches: importing eight times the rows peaks at about
    the same Python memory (some 25 kB apart; a set of the ids read, as before, added 250 kB
    for these 3,500 rows more). The file is read in small chunks here, as a large file is read
    in chunks of CHUNK."""
    monkeypatch.setattr(importer, "BATCH_SIZE", 100)
    monkeypatch.setattr(importer, "CHUNK", 4096)

    def peak(first: int, rows: int) -> int:
        path = csv_file(
            tmp_path, *numbered(range(first, first + rows)), name=f"rows-{first}-{rows}.csv"
        )
        with path.open("rb") as stream:
            tracemalloc.start()
            try:
                report = importer.import_addresses(
                    municipality=fjordby, stream=stream, size=path.stat().st_size
                )
                top = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert report.created == rows
        return top

    peak(1, 100)  # warms what Django caches once (compiled queries, translations)
    small = peak(1_000, 500)
    large = peak(10_000, 4_000)
    assert large - small < 100_000, (small, large)
