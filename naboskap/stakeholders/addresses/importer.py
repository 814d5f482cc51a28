"""Streaming import of an address file in the layout of Kartverket's open address data.

The file is read twice, in one pass each and a batch at a time, so memory stays bounded
whatever its size: first only decoded (a file in another encoding fails before anything is
saved), then parsed row by row and upserted in batches of BATCH_SIZE with one INSERT ... ON
CONFLICT DO UPDATE each (`bulk_create(update_conflicts=True)`), all in one transaction. A row
that cannot be read is reported with its line number and reason, and the import goes on.
Re-importing a file updates the addresses it already made; it never duplicates them.

Nothing is kept per row between batches, so memory does not grow with the file: what needs
the whole file is asked of the database. Whether an id appeared earlier in the file is looked
up in a temporary table of the ids read so far (`_SeenIds`); how many addresses are new and
how many updated is counted by the database too (`_Batch`).

The accepted layout is described in docs/address-import.md.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.maps import coordinates
from naboskap.stakeholders.models import GRID_ROW_M, Address
from naboskap.tenancy.models import Municipality

BATCH_SIZE = 2000
ROWS_PER_STATEMENT = 500
KEPT_ERRORS = 200
CHUNK = 1 << 20
# Kartverket's column names (and a few plain alternatives), compared without case.
COLUMNS = {
    "id": ("lokalid", "adresseid"),
    "municipality": ("kommunenummer",),
    "street": ("adressenavn",),
    "number": ("nummer",),
    "letter": ("bokstav",),
    "postcode": ("postnummer",),
    "post_town": ("poststed",),
    "epsg": ("epsg-kode",),
    "north": ("nord",),
    "east": ("øst",),
    "latitude": ("lat", "latitude", "breddegrad"),
    "longitude": ("lon", "longitude", "lengdegrad"),
}
REQUIRED = ("id", "municipality", "street", "number", "postcode", "post_town")
# The column name shown in messages for each field.
SHOWN = {key: names[0] for key, names in COLUMNS.items()} | {"id": "lokalId", "east": "Øst"}
UPDATE_FIELDS = [
    "street",
    "number",
    "letter",
    "postcode",
    "post_town",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "grid_row",
    "imported_at",
]
# The unique pair first: ON CONFLICT names it.
INSERT_FIELDS = ["municipality", "external_id", *UPDATE_FIELDS]
LETTER = re.compile(r"^[A-Za-zÆØÅæøå]{0,2}$")
POSTCODE = re.compile(r"^\d{4}$")


class ImportFailed(Exception):
    """The file as a whole cannot be imported; nothing was saved."""


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    other_municipality: int = 0
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append((line, reason))


ErrorCallback = Callable[[int, str], None]
ProgressCallback = Callable[[int, int, int], None]  # bytes read, bytes in all, rows


def check_encoding(stream: BinaryIO, encoding: str) -> None:
    """Decode the whole file once; fail with the line of the first byte that does not fit."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError as exc:
        raise ImportFailed(_("Unknown encoding: %(encoding)s.") % {"encoding": encoding}) from exc
    lines = 0
    while chunk := stream.read(CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = lines + chunk[: exc.start].count(b"\n") + 1
            raise ImportFailed(
                _(
                    "The file is not in the encoding %(encoding)s (line %(line)s cannot be "
                    "read). Choose the file's encoding, for example --encoding cp1252 for a "
                    "file saved by Excel on Windows, or save it as UTF-8."
                )
                % {"encoding": encoding.removesuffix("-sig"), "line": line}
            ) from exc
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            _("The file ends in the middle of a character (encoding %(encoding)s).")
            % {"encoding": encoding.removesuffix("-sig")}
        ) from exc


def read_columns(header: list[str]) -> dict[str, int]:
    """Which column holds which field; fails naming the columns that are missing."""
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    found = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    missing = [SHOWN[key] for key in REQUIRED if key not in found]
    has_grid = "north" in found and "east" in found
    has_geographic = "latitude" in found and "longitude" in found
    if not has_grid and not has_geographic:
        missing.append(_("Nord and Øst (or lat and lon)"))
    if missing:
        raise ImportFailed(
            _(
                "The file lacks these columns: %(columns)s. The first line must name the "
                "columns, separated by semicolons, as in Kartverket's address files "
                "(see docs/address-import.md)."
            )
            % {"columns": ", ".join(missing)}
        )
    if not has_grid:
        found.pop("north", None)
        found.pop("east", None)
    return found


def _number(text: str) -> float:
    value = float(text.strip().replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


@dataclass
class _Row:
    line: int
    external_id: str
    street: str
    number: int
    letter: str
    postcode: str
    post_town: str
    epsg: str
    x: float
    y: float


def parse_row(line: int, row: list[str], columns: dict[str, int]) -> _Row | str:
    """A row's values, or the reason it cannot be read."""

    def get(key: str) -> str:
        index = columns.get(key)
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    external_id = get("id")
    if not external_id:
        return _("no id (%(column)s)") % {"column": SHOWN["id"]}
    if len(external_id) > 64:
        return _("the id is longer than 64 characters")
    street = get("street")
    if not street:
        return _("no street name (adressenavn)")
    if len(street) > 150:
        return _("the street name is longer than 150 characters")
    number_text = get("number")
    if not number_text.isdigit() or not 0 < int(number_text) < 100000:
        return _("the house number (nummer) %(value)r is not a whole number") % {
            "value": number_text
        }
    letter = get("letter")
    if not LETTER.match(letter):
        return _("the letter (bokstav) %(value)r is not one or two letters") % {"value": letter}
    postcode = get("postcode")
    if not POSTCODE.match(postcode):
        return _("the postcode (postnummer) %(value)r is not four digits") % {"value": postcode}
    post_town = get("post_town")
    if not post_town or len(post_town) > 60:
        return _("no post town (poststed), or one longer than 60 characters")
    if "north" in columns:
        epsg = get("epsg") or "25833"
        names = ("Nord", "Øst")
        texts = (get("north"), get("east"))
    else:
        epsg = "4326"
        names = ("lat", "lon")
        texts = (get("latitude"), get("longitude"))
    if epsg not in coordinates.SUPPORTED:
        return _("the coordinate system EPSG:%(epsg)s is not supported") % {"epsg": epsg}
    try:
        north, east = (_number(text) for text in texts)
    except ValueError:
        return _("bad coordinates: %(north)s=%(n)r, %(east)s=%(e)r") % {
            "north": names[0],
            "east": names[1],
            "n": texts[0],
            "e": texts[1],
        }
    return _Row(
        line=line,
        external_id=external_id,
        street=street,
        number=int(number_text),
        letter=letter.upper(),
        postcode=postcode,
        post_town=post_town,
        epsg=epsg,
        x=east,
        y=north,
    )


def _rows_per_statement(width: int) -> int:
    """How many rows of `width` values one statement may carry: as many as the database takes
    parameters for, at most ROWS_PER_STATEMENT."""
    limit = connection.features.max_query_params or ROWS_PER_STATEMENT * width
    return max(1, min(ROWS_PER_STATEMENT, limit // width))


def _upsert(rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT (municipality, id) DO UPDATE, the same on SQLite and PostgreSQL.

    What `bulk_create(update_conflicts=True)` does, without building a model instance and
    preparing each value through its field: that ORM work was most of an import's time. Many
    rows go in one statement (as many as the database takes parameters for, at most
    ROWS_PER_STATEMENT): one statement per row made PostgreSQL four times slower.
    """
    meta = Address._meta
    columns = [meta.get_field(name).column for name in INSERT_FIELDS]
    quote = connection.ops.quote_name
    updates = ", ".join(
        f"{quote(meta.get_field(name).column)} = excluded.{quote(meta.get_field(name).column)}"
        for name in UPDATE_FIELDS
    )
    per_statement = _rows_per_statement(len(columns))
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            # Names come from the model, quoted; the values are parameters.
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                f"VALUES {', '.join([placeholder] * len(chunk))} "
                f"ON CONFLICT ({', '.join(map(quote, columns[:2]))}) DO UPDATE SET {updates}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])


class _SeenIds:
    """The ids this import has read so far, in a temporary table of the database.

    A Python set of them grew with the file: the benchmark's import peaked at 220 MB for
    1,000,000 rows and 448 MB for 3,000,000, against 147 MB at both with this table. The table
    lives in the database (SQLite's temporary file behind its bounded page cache, PostgreSQL's
    server), which answers "read before?" a batch at a time from the table's primary key. It
    is made with `_seen_ids()`, inside the import's transaction.
    """

    TABLE = "naboskap_address_import_seen"

    def __init__(self):
        quote = connection.ops.quote_name
        self.table = quote(self.TABLE)
        self.column = quote("external_id")

    def create(self) -> None:
        column_type = Address._meta.get_field("external_id").db_type(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} ({self.column} {column_type} PRIMARY KEY)"
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.table}")

    def add(self, ids: list[str]) -> set[str]:
        """Record `ids` (distinct) as read; return those that had been read before."""
        before: set[str] = set()
        per_statement = _rows_per_statement(1)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), per_statement):
                chunk = ids[start : start + per_statement]
                # The table's and column's names are quoted constants; the ids are parameters.
                cursor.execute(
                    f"SELECT {self.column} FROM {self.table} "  # noqa: S608
                    f"WHERE {self.column} IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                found = {external_id for (external_id,) in cursor.fetchall()}
                new = [external_id for external_id in chunk if external_id not in found]
                if new:
                    cursor.execute(
                        f"INSERT INTO {self.table} ({self.column}) "  # noqa: S608
                        f"VALUES {', '.join(['(%s)'] * len(new))}",
                        new,
                    )
                before |= found
        return before


@contextmanager
def _seen_ids() -> Iterator[_SeenIds]:
    """The table of ids read, for the length of one import; call inside its transaction.

    It is dropped when the import ends well. When the import fails, the transaction's rollback
    removes it with everything else (both databases roll back DDL; on PostgreSQL nothing more
    may run in a transaction that failed).
    """
    seen = _SeenIds()
    seen.create()
    yield seen
    seen.drop()


class _Batch:
    """Rows waiting to be converted and saved.

    How many addresses are new and how many updated is counted in the database. A real import
    counts once, at its end (`finish`): the addresses it creates get keys above the register's
    newest before it. Asking for each batch which of its ids exist made an import quadratic on
    PostgreSQL: the planner's statistics cannot see the rows the import's own transaction has
    added, so it chose the municipality's index and read all its addresses for every batch. A
    dry run writes nothing, so it asks for each batch (the statistics describe the register).
    """

    def __init__(
        self, municipality: Municipality, report: ImportReport, dry_run: bool, seen: _SeenIds
    ):
        self.municipality = municipality
        self.report = report
        self.dry_run = dry_run
        self.seen = seen
        self.rows: list[_Row] = []
        self.errors: list[tuple[int, str]] = []
        self.saved = 0
        self.newest_before = 0
        if not dry_run:
            self.newest_before = Address.objects.aggregate(newest=Max("pk"))["newest"] or 0

    def first_of_each_id(self) -> list[_Row]:
        """The batch's rows whose id the file has not had before; the others are reported.

        A row repeating an id of an earlier row of the batch is found here, one repeating an
        id of an earlier batch by the table of ids read (`_SeenIds`).
        """
        first: dict[str, _Row] = {}
        repeated = []
        for row in self.rows:
            if row.external_id in first:
                repeated.append(row)
            else:
                first[row.external_id] = row
        before = self.seen.add(list(first))
        repeated += [row for row in first.values() if row.external_id in before]
        for row in repeated:
            self.errors.append(
                (
                    row.line,
                    _("the id %(id)s appears earlier in the file; this row is skipped")
                    % {"id": row.external_id},
                )
            )
        return [row for row in first.values() if row.external_id not in before]

    def flush(self, on_error: ErrorCallback | None) -> None:
        addresses = []
        by_epsg: dict[str, list[_Row]] = {}
        for row in self.first_of_each_id():
            by_epsg.setdefault(row.epsg, []).append(row)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for epsg, rows in by_epsg.items():
            longitudes, latitudes = coordinates.to_geographic(
                epsg, [r.x for r in rows], [r.y for r in rows]
            )
            good = []
            for row, lat, lon in zip(rows, latitudes, longitudes, strict=True):
                if coordinates.in_norway(lat, lon):
                    good.append((row, lat, lon))
                else:
                    self.errors.append(
                        (
                            row.line,
                            _("the coordinates are not in Norway (EPSG:%(epsg)s)") % {"epsg": epsg},
                        )
                    )
            if not good:
                continue
            eastings, northings = coordinates.to_utm33(
                [lon for _r, _lat, lon in good], [lat for _r, lat, _lon in good]
            )
            for (row, lat, lon), easting, northing in zip(good, eastings, northings, strict=True):
                addresses.append(
                    (
                        self.municipality.pk,
                        row.external_id,
                        row.street,
                        row.number,
                        row.letter,
                        row.postcode,
                        row.post_town,
                        round(lat, 7),
                        round(lon, 7),
                        round(easting, 2),
                        round(northing, 2),
                        math.floor(northing / GRID_ROW_M),
                        now,
                    )
                )
        if addresses and self.dry_run:
            existing = Address.objects.filter(
                municipality=self.municipality,
                external_id__in=[values[1] for values in addresses],
            ).count()
            self.report.updated += existing
            self.report.created += len(addresses) - existing
        elif addresses:
            _upsert(addresses)
            self.saved += len(addresses)
        for line, reason in sorted(self.errors):
            self.report.add_error(line, reason)
            if on_error:
                on_error(line, reason)
        self.rows.clear()
        self.errors.clear()

    def finish(self, on_error: ErrorCallback | None) -> None:
        """Save the last rows, and count what a real import created and updated."""
        self.flush(on_error)
        if not self.dry_run:
            self.report.created = Address.objects.filter(
                municipality=self.municipality, pk__gt=self.newest_before
            ).count()
            self.report.updated = self.saved - self.report.created


def import_addresses(
    *,
    municipality: Municipality,
    stream: BinaryIO,
    size: int,
    encoding: str = "utf-8",
    dry_run: bool = False,
    on_error: ErrorCallback | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import an address file (a binary, seekable stream of `size` bytes) into the register
    of `municipality`. Raises ImportFailed, with nothing saved, for a file that cannot be read
    as a whole (encoding, columns); rows that cannot be read are reported and skipped."""
    if encoding.replace("_", "-").lower() in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"  # a byte-order mark (Excel) is not part of the first column
    check_encoding(stream, encoding)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first = text.readline()
        if not first.strip():
            raise ImportFailed(_("The file is empty."))
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        columns = read_columns(next(csv.reader([first], delimiter=delimiter)))
        reader = csv.reader(text, delimiter=delimiter)
        report = ImportReport(dry_run=dry_run)
        number = municipality.number
        municipality_column = columns["municipality"]
        with transaction.atomic(), _seen_ids() as seen:
            batch = _Batch(municipality, report, dry_run, seen)
            for row in reader:
                line = reader.line_num + 1  # the header is line 1
                if not any(cell.strip() for cell in row):
                    continue
                report.rows += 1
                owner = row[municipality_column].strip() if municipality_column < len(row) else ""
                if owner != number:
                    if owner.isdigit():
                        report.other_municipality += 1
                    else:
                        batch.errors.append((line, _("no municipality number (kommunenummer)")))
                    continue
                parsed = parse_row(line, row, columns)
                if isinstance(parsed, str):
                    batch.errors.append((line, parsed))
                    continue
                batch.rows.append(parsed)
                if len(batch.rows) >= BATCH_SIZE:
                    batch.flush(on_error)
                    if on_progress:
                        on_progress(stream.tell(), size, report.rows)
            batch.finish(on_error)
            if on_progress:
                on_progress(size, size, report.rows)
    except csv.Error as exc:
        raise ImportFailed(
            _("The file cannot be read as CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num + 1, "error": exc}
        ) from exc
    finally:
        text.detach()
    return report
