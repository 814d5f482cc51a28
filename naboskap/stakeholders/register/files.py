"""The stakeholder register as CSV and XLSX files: export, and import with a row-by-row report.

The columns are in docs/stakeholders.md ("Import and export of the register"). Headers are
Norwegian whatever the page language (the files go to Norwegian spreadsheets and back). An
import saves the good rows and reports each bad one by line, column and reason; "check only"
reads the whole file and reports what it would do, saving nothing. A re-import updates rather
than duplicates: an organisation is identified by its name, a person by their email address,
or without one by name and organisation.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from naboskap.lib.errors import DomainError
from naboskap.lib.spreadsheets import append_row, csv_bytes, looks_like_formula, workbook_bytes
from naboskap.projects.models import Project
from naboskap.stakeholders.models import ContactChannel, Organisation, Person
from naboskap.stakeholders.register import services

MAX_ROWS = 20000
# An XLSX file is a zip of XML: a few hundred kB can unpack to hundreds of MB (one cell of
# 100 MB of text, or a cell in the last column, which pads every row to 16,384 cells). So an
# upload is refused when its parts unpack to more than this (a register of MAX_ROWS rows is
# 10-25 MB unpacked; reading is about twice that in memory), and only the first MAX_COLUMNS
# columns are read (the register has 15).
XLSX_MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_COLUMNS = 50

ORGANISATION_COLUMNS = [
    ("navn", "name"),
    ("type", "kind"),
    ("e-post", "email"),
    ("telefon", "phone"),
    ("adresse", "address"),
    ("nettside", "website"),
    ("stikkord", "tags"),
    ("prosjekter", "projects"),
    ("notater", "notes"),
]
PERSON_COLUMNS = [
    ("navn", "name"),
    ("type", "kind"),
    ("e-post", "email"),
    ("telefon", "phone"),
    ("adresse", "address"),
    ("organisasjon", "organisation"),
    ("rolle", "role"),
    ("rettsgrunnlag", "lawful_basis"),
    ("samtykke dato", "consent_given_on"),
    ("samtykke hvordan", "consent_how"),
    ("samtykke formål", "consent_purpose"),
    ("kanaler", "preferred_channels"),
    ("stikkord", "tags"),
    ("prosjekter", "projects"),
    ("notater", "notes"),
]
COLUMNS = {"organisations": ORGANISATION_COLUMNS, "persons": PERSON_COLUMNS}
REQUIRED = {"navn", "type"}


def _join(values) -> str:
    return ", ".join(str(v) for v in values)


# Export -------------------------------------------------------------------------------------


def organisation_rows(organisations):
    yield [header for header, _name in ORGANISATION_COLUMNS]
    for o in organisations:
        yield [
            o.name,
            o.kind,
            o.email,
            o.phone.as_national if o.phone else "",
            o.address,
            o.website,
            _join(t.name for t in o.tags.all()),
            _join(p.slug for p in o.projects.all()),
            o.notes,
        ]


def person_rows(persons):
    yield [header for header, _name in PERSON_COLUMNS]
    for p in persons:
        yield [
            p.name,
            p.kind,
            p.email,
            p.phone.as_national if p.phone else "",
            p.address,
            p.organisation.name if p.organisation else "",
            p.role,
            p.lawful_basis,
            p.consent_given_on,
            p.consent_how,
            p.consent_purpose,
            _join(p.preferred_channels),
            _join(t.name for t in p.tags.all()),
            _join(x.slug for x in p.projects.all()),
            p.notes,
        ]


def export(rows, fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(rows)
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        append_row(sheet, ["" if v is None else v for v in row])
    return workbook_bytes(workbook)


# Import -------------------------------------------------------------------------------------


class FileProblem(DomainError):
    """The file as a whole cannot be read: nothing is imported."""


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    dry_run: bool = False


def _read_csv(data: bytes, encoding: str) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            _(
                "The file is not in the encoding %(encoding)s (a byte on line %(line)s cannot "
                "be read). Choose another encoding: a file saved by Excel on Windows is "
                "usually Windows (cp1252)."
            )
            % {"encoding": encoding, "line": line}
        ) from None
    if "\x00" in text:
        raise FileProblem(_("This is not a text file. Upload a CSV or XLSX file."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise FileProblem(_("The CSV file is broken: %(error)s") % {"error": exc}) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    not_a_workbook = _("The file is not an XLSX workbook that can be read.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # The sizes the zip declares: Python's zipfile never unpacks more than them.
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileProblem(not_a_workbook) from None
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise FileProblem(
            _(
                "The workbook is too large when unpacked (more than %(size)s MB). Save only "
                "the sheet to import, without pictures or other sheets, or split it into "
                "smaller files."
            )
            % {"size": XLSX_MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        # Read-only: rows are read from the zip one at a time, not built as a whole sheet.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken or foreign file
        raise FileProblem(not_a_workbook) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            cells = [_cell(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except Exception:
        raise FileProblem(not_a_workbook) from None
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, encoding: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    return _read_csv(data, encoding)


def _header_map(header: list[str], kind: str) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff").strip("'").casefold() for h in header]
    known = {h for h, _n in COLUMNS[kind]}
    missing = [h for h in (h for h, _n in COLUMNS[kind]) if h in REQUIRED and h not in names]
    if missing:
        raise FileProblem(
            _(
                "The file lacks the column(s) %(missing)s. The first line must name the "
                "columns: %(all)s."
            )
            % {
                "missing": ", ".join(missing),
                "all": "; ".join(h for h, _n in COLUMNS[kind]),
            }
        )
    return {name: index for index, name in enumerate(names) if name in known}


class RowError(DomainError):
    """A row that cannot be imported: its `column` and the `message` for the import report."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def _unquote(cell: str) -> str:
    """Undo the export's formula guard: `'=x` in a CSV file we wrote reads as `=x`."""
    if cell.startswith("'") and looks_like_formula(cell[1:]):
        return cell[1:]
    return cell


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _choice(value: str, choices, column: str) -> str:
    value = value.strip()
    by_code = {code.casefold(): code for code, _label in choices}
    by_label = {str(label).casefold(): code for code, label in choices}
    found = by_code.get(value.casefold()) or by_label.get(value.casefold())
    if found is None:
        raise RowError(
            column,
            _("Unknown value %(value)s. Use one of: %(codes)s.")
            % {"value": repr(value), "codes": ", ".join(code for code, _l in choices)},
        )
    return found


def _projects(municipality, text: str, column: str) -> list[Project]:
    slugs = _split(text)
    projects = {
        p.slug: p for p in Project.objects.filter(municipality=municipality, slug__in=slugs)
    }
    unknown = [s for s in slugs if s not in projects]
    if unknown:
        raise RowError(
            column,
            _("No project in the municipality has the web address %(slugs)s.")
            % {"slugs": ", ".join(unknown)},
        )
    return [projects[s] for s in slugs]


def _validation_to_row_error(exc: ValidationError, columns: dict[str, str]) -> RowError:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        return RowError(columns.get(name, ""), " ".join(ValidationError(errors).messages))
    return RowError("", " ".join(exc.messages))


def _fields(kind: str, municipality, values: dict[str, str]) -> dict:
    fields = {
        "name": " ".join(values.get("navn", "").split()),
        "email": values.get("e-post", "").strip(),
        "phone": values.get("telefon", "").strip(),
        "address": values.get("adresse", "").strip(),
        "notes": values.get("notater", "").strip(),
    }
    if not fields["name"]:
        raise RowError("navn", _("The name is missing."))
    choices = Organisation.Kind.choices if kind == "organisations" else Person.Kind.choices
    fields["kind"] = _choice(values.get("type", ""), choices, "type")
    if kind == "organisations":
        fields["website"] = values.get("nettside", "").strip()
        return fields
    org_name = " ".join(values.get("organisasjon", "").split())
    fields["organisation"] = None
    if org_name:
        fields["organisation"] = Organisation.objects.filter(
            municipality=municipality, name__iexact=org_name
        ).first()
        if fields["organisation"] is None:
            raise RowError(
                "organisasjon",
                _("No organisation in the register is called %(name)s.") % {"name": org_name},
            )
    fields["role"] = values.get("rolle", "").strip()
    basis = values.get("rettsgrunnlag", "").strip()
    fields["lawful_basis"] = (
        _choice(basis, Person.LawfulBasis.choices, "rettsgrunnlag")
        if basis
        else Person.LawfulBasis.PUBLIC_TASK
    )
    day = values.get("samtykke dato", "").strip()
    fields["consent_given_on"] = None
    if day:
        try:
            fields["consent_given_on"] = datetime.date.fromisoformat(day[:10])
        except ValueError:
            raise RowError(
                "samtykke dato", _("Write the date as YYYY-MM-DD, e.g. 2026-03-01.")
            ) from None
    fields["consent_how"] = values.get("samtykke hvordan", "").strip()
    fields["consent_purpose"] = values.get("samtykke formål", "").strip()
    fields["preferred_channels"] = [
        _choice(c, ContactChannel.choices, "kanaler") for c in _split(values.get("kanaler", ""))
    ]
    return fields


def _existing(kind: str, municipality, fields: dict):
    if kind == "organisations":
        return Organisation.objects.filter(
            municipality=municipality, name__iexact=fields["name"]
        ).first()
    persons = Person.objects.filter(municipality=municipality)
    if fields["email"]:
        return persons.filter(email__iexact=fields["email"]).first()
    return persons.filter(
        email="", name__iexact=fields["name"], organisation=fields["organisation"]
    ).first()


def _key(kind: str, fields: dict) -> tuple:
    if kind == "organisations":
        return (fields["name"].casefold(),)
    if fields["email"]:
        return ("email", fields["email"].casefold())
    return ("name", fields["name"].casefold(), fields["organisation"] and fields["organisation"].pk)


def _same(obj, fields: dict, tags: list[str], projects: list[Project]) -> bool:
    for name, value in fields.items():
        current = getattr(obj, name)
        if name == "phone":
            current = current.as_national if current else ""
            value = value.replace(" ", "")
            current = current.replace(" ", "")
        if current != value:
            return False
    current_tags = {t.name.casefold() for t in obj.tags.all()}
    if current_tags != {t.casefold() for t in tags}:
        return False
    return {p.pk for p in projects} <= {p.pk for p in obj.projects.all()}


FIELD_COLUMNS = {name: header for columns in COLUMNS.values() for header, name in columns}


def _import_row(kind, municipality, values: dict[str, str], seen: dict, line: int, report):
    fields = _fields(kind, municipality, values)
    key = _key(kind, fields)
    if key in seen:
        raise RowError(
            "navn" if kind == "organisations" or not fields["email"] else "e-post",
            _("The same %(what)s is on line %(line)s: this row was skipped.")
            % {
                "what": _("organisation") if kind == "organisations" else _("person"),
                "line": seen[key],
            },
        )
    seen[key] = line
    tags = _split(values.get("stikkord", ""))
    projects = _projects(municipality, values.get("prosjekter", ""), "prosjekter")
    existing = _existing(kind, municipality, fields)
    try:
        if existing is None:
            create = (
                services.organisation_create if kind == "organisations" else services.person_create
            )
            create(municipality=municipality, tags=tags, projects=projects, **fields)
            report.created += 1
        elif _same(existing, fields, tags, projects):
            report.unchanged += 1
        else:
            all_projects = list({p.pk: p for p in [*existing.projects.all(), *projects]}.values())
            if kind == "organisations":
                services.organisation_edit(
                    organisation=existing, tags=tags, projects=all_projects, **fields
                )
            else:
                services.person_edit(person=existing, tags=tags, projects=all_projects, **fields)
            report.updated += 1
    except ValidationError as exc:
        raise _validation_to_row_error(exc, FIELD_COLUMNS) from None


def register_import(
    *, municipality, kind: str, data: bytes, filename: str, encoding: str, dry_run: bool
) -> Report:
    """Import organisations or persons. Raises FileProblem (nothing saved) for a file that
    cannot be read as a whole; reports bad rows and imports the rest."""
    table = read_table(data, filename, encoding)
    if not table or not any(cell.strip() for cell in table[0]):
        raise FileProblem(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise FileProblem(
            _("The file has more than %(max)s rows. Split it into smaller files.")
            % {"max": MAX_ROWS}
        )
    columns = _header_map(table[0], kind)
    report = Report(dry_run=dry_run)
    seen: dict = {}
    with transaction.atomic():
        for line, row in enumerate(table[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            report.rows += 1
            values = {name: _unquote(row[i]) if i < len(row) else "" for name, i in columns.items()}
            try:
                with transaction.atomic():
                    _import_row(kind, municipality, values, seen, line, report)
            except RowError as exc:
                report.errors.append((line, exc.column, exc.message))
        if dry_run:
            transaction.set_rollback(True)
    return report
