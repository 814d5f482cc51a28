"""Importing address files: `manage.py import_addresses` and what it leaves in the register."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from naboskap.stakeholders.models import Address, AddressImport
from naboskap.stakeholders.tests.factories import HEADER, csv_file, row
from naboskap.testing.factories import MunicipalityFactory

SAMPLE = "naboskap/stakeholders/samples/adresser_fjordvik.csv"


@pytest.fixture
def fjordby(db):
    return MunicipalityFactory(name="Fjordby kommune", slug="fjordby", number="9911")


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("import_addresses", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_good_rows_are_imported_with_both_coordinate_systems(fjordby, tmp_path):
    path = csv_file(
        tmp_path,
        row("a-1", "14", letter="b"),
        row("a-2", "16", street="Bjørkeveien", north="7731820.50", east="653190.25"),
    )
    out, _err = run("fjordby", str(path))
    assert "2 rows read" in out and "2 new and 0 updated" in out
    first = Address.objects.get(external_id="a-1")
    assert (str(first), first.full) == ("Lindeveien 14B", "Lindeveien 14B, 9999 FJORDBY")
    # EUREF89 UTM 33 (653210.09, 7731796.83) is 69.65° N, 18.95° E.
    assert first.latitude == pytest.approx(69.65, abs=1e-5)
    assert first.longitude == pytest.approx(18.95, abs=1e-5)
    assert Address.objects.get(external_id="a-2").street == "Bjørkeveien"


def test_latitude_longitude_columns_are_accepted(fjordby, tmp_path):
    header = "adresseId;kommunenummer;adressenavn;nummer;postnummer;poststed;lat;lon"
    path = csv_file(tmp_path, "x-1;9911;Lindeveien;2;9999;FJORDBY;69.65;18.95", header=header)
    run("fjordby", str(path))
    address = Address.objects.get(external_id="x-1")
    assert (address.easting, address.northing) == pytest.approx((653210.09, 7731796.83), abs=0.01)


def test_geographic_epsg_code_in_kartverkets_columns(fjordby, tmp_path):
    path = csv_file(tmp_path, row("g-1", epsg="4258", north="69.65", east="18.95"))
    run("fjordby", str(path))
    assert Address.objects.get(external_id="g-1").northing == pytest.approx(7731796.83, abs=0.01)


def test_each_bad_row_is_reported_by_line_and_the_rest_imported(fjordby, tmp_path):
    path = csv_file(
        tmp_path,
        row("ok-1", "1"),  # line 2
        row("bad-2", "x"),  # 3: not a number
        row("ok-1", "3"),  # 4: duplicate id
        row("bad-4", north="nord", east="øst"),  # 5: bad coordinates
        row("bad-5", north="1000", east="2000"),  # 6: outside Norway
        row("bad-6", postcode="99"),  # 7
        row("bad-7", street=""),  # 8
        row("", "8"),  # 9: no id
        row("bad-9", epsg="3857"),  # 10
        row("ok-10", "10"),  # 11
        row("other", municipality="0301"),  # 12: another municipality: skipped, not an error
    )
    out, err = run("fjordby", str(path))
    assert set(Address.objects.values_list("external_id", flat=True)) == {"ok-1", "ok-10"}
    assert "line 3: the house number (nummer) 'x' is not a whole number" in err
    assert "line 4: the id ok-1 appears earlier in the file" in err
    assert "line 5: bad coordinates: Nord='nord', Øst='øst'" in err
    assert "line 6: the coordinates are not in Norway" in err
    assert "line 7: the postcode (postnummer) '99' is not four digits" in err
    assert "line 8: no street name" in err
    assert "line 9: no id" in err
    assert "line 10: the coordinate system EPSG:3857 is not supported" in err
    assert "line 12" not in err
    assert "11 rows read" in out and "1 rows of other municipalities" in out
    assert "8 rows with errors skipped" in out
    record = AddressImport.objects.get()
    assert record.error_count == 8
    assert record.errors[0] == [3, "the house number (nummer) 'x' is not a whole number"]


def test_reimport_updates_instead_of_duplicating(fjordby, tmp_path):
    run("fjordby", str(csv_file(tmp_path, row("a-1", "14"), row("a-2", "16"))))
    path = csv_file(tmp_path, row("a-1", "14", street="Lindevegen"), row("a-3", "18"))
    out, _err = run("fjordby", str(path))
    assert "1 new and 1 updated" in out
    assert Address.objects.count() == 3
    assert Address.objects.get(external_id="a-1").street == "Lindevegen"


def test_the_sample_file_imports_cleanly_and_idempotently(fjordby, tmp_path):
    sample = tmp_path / "sample.csv"
    text = Path(SAMPLE).read_text(encoding="utf-8")
    sample.write_text(text.replace(";9901;", ";9911;"), encoding="utf-8")
    out, _err = run("fjordby", str(sample))
    count = Address.objects.count()
    assert count > 300 and "0 rows with errors" in out
    out, _err = run("fjordby", str(sample))
    assert Address.objects.count() == count and f"0 new and {count} updated" in out


def test_wrong_encoding_names_the_option_and_imports_nothing(fjordby, tmp_path):
    path = csv_file(tmp_path, row("a-1"), row("a-2", street="Bjørkeveien"), encoding="latin-1")
    with pytest.raises(CommandError, match=r"--encoding cp1252") as error:
        run("fjordby", str(path))
    # The header has "Øst", which Latin-1 writes as one byte that UTF-8 cannot read.
    assert "line 1 cannot be read" in str(error.value)
    assert not Address.objects.exists()
    assert AddressImport.objects.get().outcome == AddressImport.Outcome.FAILED
    run("fjordby", str(path), encoding="cp1252")
    assert Address.objects.get(external_id="a-2").street == "Bjørkeveien"


def test_a_bad_byte_late_in_the_file_saves_nothing_before_it(fjordby, tmp_path):
    rows = [row(f"a-{n}", str(n)) for n in range(1, 3000)]
    path = csv_file(tmp_path, *rows)
    path.write_bytes(path.read_bytes() + b"bad-1;9911;Gr\xf8nn;1;;9999;BY;25833;7731796;653210\n")
    with pytest.raises(CommandError, match="line 3001 cannot be read"):
        run("fjordby", str(path))
    assert not Address.objects.exists()


def test_missing_columns_are_named_and_nothing_is_imported(fjordby, tmp_path):
    header = "lokalId;kommunenummer;adressenavn;postnummer;Nord"
    path = csv_file(tmp_path, "a-1;9911;Lindeveien;9999;7731796", header=header)
    with pytest.raises(CommandError) as error:
        run("fjordby", str(path))
    message = str(error.value)
    assert "lacks these columns: nummer, poststed, Nord and Øst (or lat and lon)" in message
    assert not Address.objects.exists()


def test_a_comma_separated_file_with_other_columns_is_refused_clearly(fjordby, tmp_path):
    path = csv_file(tmp_path, "1,2,3", header="id,street,number")
    with pytest.raises(CommandError, match="lacks these columns: lokalId, kommunenummer"):
        run("fjordby", str(path))


def test_empty_file_unknown_municipality_and_dry_run(fjordby, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        run("fjordby", str(empty))
    with pytest.raises(CommandError, match="No municipality with the slug 'nowhere'"):
        run("nowhere", str(empty))
    with pytest.raises(CommandError, match="No file at"):
        run("fjordby", str(tmp_path / "missing.csv"))
    out, _err = run("fjordby", str(csv_file(tmp_path, row("a-1"))), dry_run=True)
    assert "1 new and 0 updated addresses would be saved (dry run)" in out
    assert not Address.objects.exists()


def test_progress_is_shown_on_stderr(fjordby, tmp_path):
    path = csv_file(tmp_path, *[row(f"a-{n}", str(n)) for n in range(1, 5000)])
    _out, err = run("fjordby", str(path))
    assert "100% 4,999 rows" in err
    assert err.count("rows (") >= 3  # a line per 10 % on a non-terminal


def test_header_only_file_imports_nothing_without_errors(fjordby, tmp_path):
    out, _err = run("fjordby", str(csv_file(tmp_path, header=HEADER)))
    assert "0 rows read" in out
