"""What each registration says to the archive, and its documents (ADR 0033).

`build` reads the registration's object as it is now (in the worker, in the municipality's
language) and returns the package: a case folder (`arkivmelding.Folder`) or one registration
in it (`arkivmelding.Record`) written as `arkivmelding.xml`, and its documents as PDF/A.

- A concern: received (I), its photos attached; the reporter a correspondence party only
  when they gave a name, and only while their contact details are not erased; screened with
  the municipality's restriction code and legal basis.
- A message to the reporter: sent (U), the reporter its recipient (as above); a message from
  the reporter: received (I); an internal note: a note (N). All screened as the concern.
- Approved minutes, an approved ROS analysis, a status report: internal documents (X), the
  PDF/A the app renders for them. Letters sent: one outgoing registration (U) with all the
  letters as one PDF/A.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.archive import arkivmelding, pdfs
from naboskap.archive.arkivmelding import Document, Folder, Party, Record
from naboskap.archive.models import Registration, Settings
from naboskap.archive.transports import Package
from naboskap.concerns.models import Concern, Message
from naboskap.documents import registry
from naboskap.documents.registry import Job
from naboskap.meetings.documents import MINUTES
from naboskap.meetings.models import MinutesVersion
from naboskap.reports.documents import STATUS_REPORT
from naboskap.reports.models import StatusReport
from naboskap.risk.documents import REPORT
from naboskap.risk.models import Analysis
from naboskap.stakeholders.documents import LETTER_RUN
from naboskap.stakeholders.models import Interaction

Kind = Registration.Kind


class CannotBuild(Exception):
    """The registration's record cannot be made (its object is gone)."""


def _file_name(text: str) -> str:
    """A plain file name: letters, digits and dashes."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "dokument"


def _key(registration: Registration) -> arkivmelding.Key:
    return arkivmelding.Key(settings.ARCHIVE_SYSTEM, registration.external_key)


def _screening(archive: Settings) -> arkivmelding.Screening:
    return arkivmelding.Screening(archive.restriction_code, archive.restriction_basis)


def _classification(archive: Settings) -> arkivmelding.Classification | None:
    if archive.classification_system and archive.classification_value:
        return arkivmelding.Classification(
            archive.classification_system, archive.classification_value
        )
    return None


def _object(model, registration: Registration, **related):
    found = model.objects.filter(pk=registration.object_id)
    if related.get("select"):
        found = found.select_related(*related["select"])
    obj = found.first()
    if obj is None:
        raise CannotBuild(_("What it records is deleted: there is nothing to send."))
    return obj


# Case folders -------------------------------------------------------------------------------


def _folder(registration: Registration, archive: Settings) -> Folder:
    concerns = registration.object_id.startswith(("concern-", "concerns-"))
    return Folder(
        key=_key(registration),
        title=registration.title,
        created=timezone.localtime(registration.created_at),
        archive_part=archive.archive_part,
        administrative_unit=archive.administrative_unit,
        classification=_classification(archive),
        # Concerns describe residents' circumstances: their folders are screened too.
        screening=_screening(archive) if concerns else None,
    )


# Concerns -------------------------------------------------------------------------------------


def _reporter(concern: Concern, role: str) -> list[Party]:
    """The reporter as correspondence party: only when they gave a name, and not once their
    contact details are erased."""
    if not concern.reporter_name.strip() or concern.contact_erased_at is not None:
        return []
    return [
        Party(
            role=role,
            name=concern.reporter_name.strip(),
            postal_address=concern.reporter_address,
            email=concern.reporter_email,
            phone=str(concern.reporter_phone or ""),
        )
    ]


def _concern_record(registration, archive) -> Record:
    concern = _object(
        Concern, registration, select=["municipality", "project", "category", "assigned_unit"]
    )
    received = timezone.localtime(concern.created_at)
    stem = f"bekymringsmelding-{_file_name(concern.reference)}"
    documents = [
        Document(
            title=registration.title,
            file_name=f"{stem}.pdf",
            content=pdfs.concern_pdf(concern, with_contact=True),
            main=True,
        )
    ]
    photos = concern.photos.select_related("concern__municipality").order_by("created_at", "pk")
    for number, photo in enumerate(photos, start=1):
        documents.append(
            Document(
                title=_("Photo %(number)d") % {"number": number},
                file_name=f"{stem}-bilde-{number}.pdf",
                content=pdfs.photo_pdf(photo, number=number),
                main=False,
            )
        )
    record = Record(
        key=_key(registration),
        folder=_key(registration.folder),
        title=registration.title,
        type=arkivmelding.INCOMING,
        document_date=received.date(),
        received=received,
        parties=_reporter(concern, arkivmelding.SENDER),
        documents=documents,
        screening=_screening(archive),
    )
    return record


def _message_record(registration, archive) -> Record:
    message = _object(
        Message,
        registration,
        select=[
            "concern__municipality",
            "concern__project",
            "concern__category",
            "concern__assigned_unit",
            "author",
        ],
    )
    concern = message.concern
    written = timezone.localtime(message.created_at)
    record_type, role, received, sent = {
        Kind.ANSWER: (arkivmelding.OUTGOING, arkivmelding.RECIPIENT, None, written),
        Kind.FROM_REPORTER: (arkivmelding.INCOMING, arkivmelding.SENDER, written, None),
        Kind.NOTE: (arkivmelding.NOTE, None, None, None),
    }[registration.kind]
    stem = {Kind.ANSWER: "svar", Kind.FROM_REPORTER: "fra-melder", Kind.NOTE: "notat"}
    name = f"{stem[registration.kind]}-{_file_name(concern.reference)}-{message.pk}.pdf"
    return Record(
        key=_key(registration),
        folder=_key(registration.folder),
        title=registration.title,
        type=record_type,
        document_date=written.date(),
        received=received,
        sent=sent,
        parties=_reporter(concern, role) if role else [],
        documents=[
            Document(
                title=registration.title,
                file_name=name,
                content=pdfs.message_pdf(message),
                main=True,
            )
        ],
        screening=_screening(archive),
    )


# Records of a project ---------------------------------------------------------------------


def _rendered(kind: str, obj, *, variant: str = "", params: dict | None = None) -> bytes:
    """The PDF/A the app itself renders for `obj` (its stored document kind)."""
    found = registry.get(kind)
    job = Job(obj=obj, variant=variant, params=params or {}, part=1, parts=1, progress=_quiet)
    return found.render(job)


def _quiet(_done: int, _total: int) -> None:
    pass


def _internal(registration, *, dated: datetime, file_name: str, content: bytes) -> Record:
    return Record(
        key=_key(registration),
        folder=_key(registration.folder),
        title=registration.title,
        type=arkivmelding.INTERNAL,
        document_date=timezone.localtime(dated).date(),
        documents=[
            Document(title=registration.title, file_name=file_name, content=content, main=True)
        ],
    )


def _minutes_record(registration, archive) -> Record:
    version = _object(
        MinutesVersion, registration, select=["minutes__meeting__project__municipality"]
    )
    meeting = version.minutes.meeting
    content = _rendered(MINUTES, meeting, variant=str(version.version))
    name = f"referat-{meeting.pk}-versjon-{version.version}.pdf"
    return _internal(registration, dated=version.approved_at, file_name=name, content=content)


def _analysis_record(registration, archive) -> Record:
    analysis = _object(Analysis, registration, select=["project__municipality"])
    content = _rendered(REPORT, analysis)
    name = f"ros-analyse-{analysis.project_id}-revisjon-{analysis.revision}.pdf"
    dated = analysis.approved_at or registration.created_at
    return _internal(registration, dated=dated, file_name=name, content=content)


def _report_record(registration, archive) -> Record:
    report = _object(StatusReport, registration, select=["municipality", "project"])
    content = _rendered(STATUS_REPORT, report)
    name = f"statusrapport-{report.pk}-{report.period_end.isoformat()}.pdf"
    return _internal(registration, dated=report.created_at, file_name=name, content=content)


def _letters_record(registration, archive) -> Record:
    interaction = _object(Interaction, registration, select=["project__municipality"])
    parts = registration.params.get("parts") or []
    if not parts:
        raise CannotBuild(_("The letters of this run were not kept."))
    letters = [letter for part in parts for letter in part["letters"]]
    params = {**parts[0], "letters": letters, "count": len(letters)}
    content = _rendered(LETTER_RUN, interaction.project, params=params)
    sent = timezone.localtime(interaction.created_at)
    return Record(
        key=_key(registration),
        folder=_key(registration.folder),
        title=registration.title,
        type=arkivmelding.OUTGOING,
        document_date=sent.date(),
        sent=sent,
        # The letters go to addresses, not to named persons: one party for them all.
        parties=[Party(role=arkivmelding.RECIPIENT, name=_("Neighbours on the neighbour list"))],
        documents=[
            Document(
                title=registration.title,
                file_name=f"nabobrev-{interaction.pk}.pdf",
                content=content,
                main=True,
            )
        ],
    )


RECORDS = {
    Kind.CONCERN: _concern_record,
    Kind.ANSWER: _message_record,
    Kind.FROM_REPORTER: _message_record,
    Kind.NOTE: _message_record,
    Kind.MINUTES: _minutes_record,
    Kind.ANALYSIS: _analysis_record,
    Kind.REPORT: _report_record,
    Kind.LETTERS: _letters_record,
}


def build(registration: Registration, archive: Settings) -> Package:
    """The registration's package, as its object reads now."""
    if registration.is_folder:
        return arkivmelding.folder_package(_folder(registration, archive), now=timezone.now())
    record = RECORDS[registration.kind](registration, archive)
    return arkivmelding.record_package(record, now=timezone.now())
