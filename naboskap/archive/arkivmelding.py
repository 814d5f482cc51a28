"""Writing Fiks Arkiv's `arkivmelding` and reading its receipt (ADR 0033).

Naboskap targets Fiks Arkiv V1, message type `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`
(KS's current name for creating a folder or a registration): a root `arkivmelding` with the
sending system, the number of files, and at most one `mappe` and one `registrering`. Naboskap
sends one of them per message: a case folder (`mappe xsi:type="saksmappe"`) or one registration
(`registrering xsi:type="journalpost"`) that names its folder by the folder's external key.

What the schema asks for, and this module keeps to:
- every element is in the namespace of the schema that declares it: the message's own, or the
  Noark 5 metadata catalogue's for the content of its types (a code's `kode` and
  `beskrivelse`, an external key's `fagsystem` and `noekkel`, a unit's `navn`);
- subtypes are chosen by `xsi:type` resolved in the message's namespace, which is therefore
  the default namespace;
- elements come in the schema's order; a code is `<kode>` with its `<beskrivelse>`;
- dates (`saksdato`, `dokumentetsDato`) are dates, moments (`mottattDato`, `sendtDato`) are
  date-times with their offset;
- each document object names its file in the package (`referanseDokumentfil`), ASCII only.

The XML depends only on what it records and on `now` (its `opprettetDato`): the same record
gives the same bytes.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime

from naboskap.archive.transports import Package

MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
RECEIPT_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
RECEIPT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# Journalposttype (Noark 5 M082).
INCOMING, OUTGOING, NOTE, INTERNAL = "I", "U", "N", "X"
RECORD_TYPES = {
    INCOMING: "Inngående dokument",
    OUTGOING: "Utgående dokument",
    NOTE: "Organinternt dokument for oppfølging",
    INTERNAL: "Organinternt dokument uten oppfølging",
}
# Journalstatus (M053): an outgoing letter is sent (expedited), the rest registered.
RECORD_STATUS = {OUTGOING: ("E", "Ekspedert")}
REGISTERED = ("J", "Journalført")
# Korrespondanseparttype (M087).
SENDER, RECIPIENT = "EA", "EM"
PARTY_TYPES = {SENDER: "Avsender", RECIPIENT: "Mottaker"}
# Dokumenttype (M083) by journalposttype.
DOCUMENT_TYPES = {INCOMING: "MELDING", OUTGOING: "KORR", NOTE: "NOTAT", INTERNAL: "RAPPORT"}


@dataclass(frozen=True)
class Key:
    """An external key: the sending system and its own id for the object."""

    system: str
    key: str


@dataclass(frozen=True)
class Screening:
    """Skjerming: a Noark 5 access restriction code and its legal basis."""

    code: str
    basis: str


@dataclass(frozen=True)
class Classification:
    system: str
    value: str


@dataclass
class Document:
    title: str
    file_name: str  # the file's name in the package: ASCII letters, digits, dashes and a dot
    content: bytes
    main: bool  # the main document (H) or an attachment (V)


@dataclass
class Party:
    role: str  # SENDER or RECIPIENT
    name: str
    postal_address: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class Folder:
    key: Key
    title: str
    created: datetime
    archive_part: str = ""
    administrative_unit: str = ""
    classification: Classification | None = None
    screening: Screening | None = None


@dataclass
class Record:
    key: Key
    folder: Key
    title: str
    type: str
    document_date: date
    received: datetime | None = None
    sent: datetime | None = None
    parties: list[Party] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    screening: Screening | None = None


# Writing ------------------------------------------------------------------------------------


def _el(parent: ET.Element, name: str, text: str | None = None, ns: str = NS) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = text
    return element


def _code(parent: ET.Element, name: str, code: str, description: str = "") -> None:
    element = _el(parent, name)
    _el(element, "kode", code, MDK)
    if description:
        _el(element, "beskrivelse", description, MDK)


def _key(parent: ET.Element, name: str, key: Key, ns: str = NS) -> None:
    element = _el(parent, name, ns=ns)
    _el(element, "fagsystem", key.system, MDK)
    _el(element, "noekkel", key.key, MDK)


def _moment(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def _screening(parent: ET.Element, screening: Screening | None) -> None:
    if screening is None:
        return
    element = _el(parent, "skjerming")
    _code(element, "tilgangsrestriksjon", screening.code)
    _el(element, "skjermingshjemmel", screening.basis)


def _root(system: str, files: int) -> ET.Element:
    ET.register_namespace("", NS)
    ET.register_namespace("mdk", MDK)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{NS}}}arkivmelding")
    _el(root, "system", system)
    _el(root, "antallFiler", str(files))
    return root


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def folder_xml(folder: Folder, *, now: datetime) -> bytes:
    """A case folder (saksmappe) on its own: the archive makes it, or knows it already by
    its external key."""
    root = _root(folder.key.system, 0)
    mappe = _el(root, "mappe")
    mappe.set(f"{{{XSI}}}type", "saksmappe")
    _el(mappe, "tittel", folder.title)
    _el(mappe, "offentligTittel", folder.title)
    _el(mappe, "opprettetDato", _moment(now))
    if folder.archive_part:
        _code(mappe, "arkivdel", folder.archive_part)
    _screening(mappe, folder.screening)
    if folder.classification is not None:
        element = _el(mappe, "klassifikasjon")
        _el(element, "klassifikasjonssystemID", folder.classification.system)
        _el(element, "klasseID", folder.classification.value)
    _key(mappe, "referanseEksternNoekkel", folder.key)
    _el(mappe, "saksdato", folder.created.date().isoformat())
    if folder.administrative_unit:
        unit = _el(mappe, "administrativEnhet")
        _el(unit, "navn", folder.administrative_unit, MDK)
    _code(mappe, "saksstatus", "B", "Under behandling")
    return _bytes(root)


def record_xml(record: Record, *, now: datetime) -> bytes:
    """One registration (journalpost) in the folder its `folder` key names."""
    root = _root(record.key.system, len(record.documents))
    entry = _el(root, "registrering")
    entry.set(f"{{{XSI}}}type", "journalpost")
    _el(entry, "opprettetDato", _moment(now))
    parent = _el(entry, "referanseForelderMappe")
    _key(parent, "referanseEksternNoekkel", record.folder, MDK)
    _screening(entry, record.screening)
    for number, document in enumerate(record.documents, start=1):
        _document(entry, document, number, record.type)
    _el(entry, "tittel", record.title)
    _el(entry, "offentligTittel", record.title)
    for party in record.parties:
        _party(entry, party)
    _key(entry, "referanseEksternNoekkel", record.key)
    _code(entry, "journalposttype", record.type, RECORD_TYPES[record.type])
    _code(entry, "journalstatus", *RECORD_STATUS.get(record.type, REGISTERED))
    _el(entry, "dokumentetsDato", record.document_date.isoformat())
    if record.received is not None:
        _el(entry, "mottattDato", _moment(record.received))
    if record.sent is not None:
        _el(entry, "sendtDato", _moment(record.sent))
    attachments = sum(not document.main for document in record.documents)
    if attachments:
        _el(entry, "antallVedlegg", str(attachments))
    return _bytes(root)


def _document(parent: ET.Element, document: Document, number: int, record_type: str) -> None:
    element = _el(parent, "dokumentbeskrivelse")
    _code(element, "dokumenttype", DOCUMENT_TYPES[record_type] if document.main else "VEDLEGG")
    _code(element, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _el(element, "tittel", document.title)
    _code(
        element,
        "tilknyttetRegistreringSom",
        *(("H", "Hoveddokument") if document.main else ("V", "Vedlegg")),
    )
    _el(element, "dokumentnummer", str(number))
    file = _el(element, "dokumentobjekt")
    _el(file, "versjonsnummer", "1")
    _code(file, "variantformat", "A", "Arkivformat")
    _code(file, "format", "RA-PDF", "PDF/A")
    _el(file, "mimeType", "application/pdf")
    _el(file, "filnavn", document.file_name)
    _el(file, "referanseDokumentfil", document.file_name)
    _el(file, "sjekksum", hashlib.sha256(document.content).hexdigest())
    _el(file, "sjekksumAlgoritme", "SHA256")
    _el(file, "filstoerrelse", str(len(document.content)))


def _party(parent: ET.Element, party: Party) -> None:
    element = _el(parent, "korrespondansepart")
    _code(element, "korrespondanseparttype", party.role, PARTY_TYPES[party.role])
    _el(element, "korrespondansepartNavn", party.name)
    for line in party.postal_address.splitlines()[:3]:
        if line.strip():
            _el(element, "postadresse", line.strip())
    if party.email:
        _el(element, "epostadresse", party.email)
    if party.phone:
        _el(element, "telefonnummer", party.phone)


def _package_name(key: Key) -> str:
    return key.key.replace(":", "-").replace("/", "-")


def folder_package(folder: Folder, *, now: datetime) -> Package:
    return Package(name=_package_name(folder.key), xml=folder_xml(folder, now=now))


def record_package(record: Record, *, now: datetime) -> Package:
    names = [document.file_name for document in record.documents]
    if len(set(names)) != len(names):
        raise ValueError(f"Two documents of {record.key.key} have the same file name")
    return Package(
        name=_package_name(record.key),
        xml=record_xml(record, now=now),
        files={document.file_name: document.content for document in record.documents},
    )
