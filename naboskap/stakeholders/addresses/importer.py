"""Streaming import of an address file in the layout of Kartverket's open address data.

The file is read twice, in one pass each and a batch at a time, so memory stays bounded
whatever its size: first only decoded (a file in another encoding fails before anything is
saved), then parsed row by row and upserted in batches of BATCH_SIZE with one INSERT ... ON
CONFLICT DO UPDATE each (`bulk_create(update_conflicts=True)`), all in one transaction. A row
that cannot be read is reported with its line number and reason, and the import goes on.
Re-importing a file updates the addresses it already made; it never duplicates them.

The accepted layout is described in docs/address-import.md.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, transaction
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
    limit = connection.features.max_query_params or ROWS_PER_STATEMENT * len(columns)
    per_statement = max(1, min(ROWS_PER_STATEMENT, limit // len(columns)))
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


class _Batch:
    """Rows waiting to be converted and saved."""

    def __init__(self, municipality: Municipality, report: ImportReport, dry_run: bool):
        self.municipality = municipality
        self.report = report
        self.dry_run = dry_run
        self.rows: list[_Row] = []
        self.errors: list[tuple[int, str]] = []

    def flush(self, on_error: ErrorCallback | None) -> None:
        addresses = []
        by_epsg: dict[str, list[_Row]] = {}
        for row in self.rows:
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
        if addresses:
            existing = Address.objects.filter(
                municipality=self.municipality,
                external_id__in=[values[1] for values in addresses],
            ).count()
            self.report.updated += existing
            self.report.created += len(addresses) - existing
            if not self.dry_run:
                _upsert(addresses)
        for line, reason in sorted(self.errors):
            self.report.add_error(line, reason)
            if on_error:
                on_error(line, reason)
        self.rows.clear()
        self.errors.clear()


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
        batch = _Batch(municipality, report, dry_run)
        seen: set[int] = set()  # hashes of the ids so far: 1,000,000 ids take ~60 MB
        number = municipality.number
        municipality_column = columns["municipality"]
        with transaction.atomic():
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
                key = hash(parsed.external_id)
                if key in seen:
                    batch.errors.append(
                        (
                            line,
                            _("the id %(id)s appears earlier in the file; this row is skipped")
                            % {"id": parsed.external_id},
                        )
                    )
                    continue
                seen.add(key)
                batch.rows.append(parsed)
                if len(batch.rows) >= BATCH_SIZE:
                    batch.flush(on_error)
                    if on_progress:
                        on_progress(stream.tell(), size, report.rows)
            batch.flush(on_error)
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
