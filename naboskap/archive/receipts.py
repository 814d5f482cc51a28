"""Reading the archive's receipts (`arkivmeldingKvittering`, Fiks Arkiv V1 `opprett`) and
recording them on the registrations they answer (ADR 0033).

A receipt answers one message: a folder made or found (`mappeKvittering`, with the case
year and sequence number), a registration made or found (`registreringKvittering`, with the
journal year, sequence number and the registration's number in its case), or what failed
(`mappeFeilet`, `registreringFeilet`, with the archive's message). The registration is found
by its external key. Read leniently, by element names: archives and KS's own tools differ
in what they add or leave out.

With the folder transport, the archive system writes its receipts as XML files into
ARCHIVE_RECEIPTS_FOLDER/<municipality>/; `import_folder` reads each, records it, and moves it
into `done/` (or `unknown/`, when it answers nothing Naboskap sent).
"""

from __future__ import annotations

import logging
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from naboskap.archive.models import Registration

logger = logging.getLogger(__name__)

Status = Registration.Status


@dataclass(frozen=True)
class Answer:
    key: str  # the external key's `noekkel`
    system: str  # its `fagsystem`
    archive_id: str = ""
    case_number: str = ""
    record_number: str = ""
    error: str = ""


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if local_name(child.tag) == name), None)


def _text(element: ET.Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _external_key(element: ET.Element) -> tuple[str, str]:
    key = _child(element, "referanseEksternNoekkel")
    return _text(key, "fagsystem"), _text(key, "noekkel")


def parse(xml: bytes) -> list[Answer]:
    """What one receipt says, per folder and registration it names (raises ValueError for
    what is not a receipt)."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 (a file the municipality's archive wrote)
    except ET.ParseError as error:
        raise ValueError(f"Not XML: {error}") from error
    if local_name(root.tag) != "arkivmeldingKvittering":
        raise ValueError(f"Not a receipt: <{local_name(root.tag)}>")
    answers = []
    case_number = ""
    for element in root:
        name = local_name(element.tag)
        system, key = _external_key(element)
        if name == "mappeKvittering":
            year, number = _text(element, "saksaar"), _text(element, "sakssekvensnummer")
            case_number = f"{year}/{number}" if year and number else ""
            answers.append(Answer(key, system, _text(element, "systemID"), case_number=case_number))
        elif name == "registreringKvittering":
            answers.append(
                Answer(
                    key,
                    system,
                    _text(element, "systemID"),
                    record_number=_record_number(element, case_number),
                )
            )
        elif name in ("mappeFeilet", "registreringFeilet"):
            message = _text(element, "feilmelding") or _text(element, "feilId") or name
            answers.append(Answer(key, system, error=message))
    return answers


def _record_number(element: ET.Element, case_number: str) -> str:
    """ "2026/123-4" (the case and the registration's number in it) when the receipt gives
    both, else the journal's own "2026/456"."""
    in_case = _text(element, "journalpostnummer")
    if case_number and in_case:
        return f"{case_number}-{in_case}"
    year, number = _text(element, "journalaar"), _text(element, "journalsekvensnummer")
    return f"{year}/{number}" if year and number else ""


def record(answers: list[Answer], *, municipality) -> int:
    """Record what the receipt says on the municipality's registrations it names; returns
    how many it named."""
    named = 0
    now = timezone.now()
    for answer in answers:
        if answer.system and answer.system != settings.ARCHIVE_SYSTEM:
            continue
        found = Registration.objects.filter(municipality=municipality, external_key=answer.key)
        if answer.error:
            named += found.update(status=Status.FAILED, last_error=answer.error[:500])
            continue
        fields = {"status": Status.ARCHIVED, "archived_at": now, "last_error": ""}
        if answer.archive_id:
            fields["archive_id"] = answer.archive_id[:100]
        if answer.case_number:
            fields["case_number"] = answer.case_number[:40]
        if answer.record_number:
            fields["record_number"] = answer.record_number[:40]
        named += found.update(**fields)
    return named


def folder_of(municipality) -> Path:
    return Path(settings.ARCHIVE_RECEIPTS_FOLDER) / municipality.slug


def _move(path: Path, into: str) -> None:
    target = path.parent / into
    target.mkdir(exist_ok=True)
    os.replace(path, target / path.name)


def import_folder(municipality) -> int:
    """Read every receipt waiting in the municipality's receipts folder; returns how many
    registrations they named."""
    folder = folder_of(municipality)
    if not folder.is_dir():
        return 0
    named = 0
    for path in sorted(folder.glob("*.xml")):
        try:
            answers = parse(path.read_bytes())
        except (OSError, ValueError) as error:
            logger.warning("Archive receipt %s could not be read: %s", path, error)
            _move(path, "unknown")
            continue
        with transaction.atomic():
            count = record(answers, municipality=municipality)
        named += count
        _move(path, "done" if count else "unknown")
    return named
