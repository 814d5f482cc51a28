"""Archive operations (ADR 0033): what becomes a registration, when, and resending.

The domain services say what happened (`naboskap.lib.events.emit`, in their transaction);
`event_happened` makes the registrations a final record needs, in that same transaction, when
the municipality archives that kind of record: a concern closed (its case folder, the concern
as received, each message to and from the reporter and, when configured, each internal note),
minutes approved, an analysis approved, a status report made, letters sent. Each is made once
(`Registration` is unique per kind and object): closing a concern again adds only what is new.
After commit the worker builds and sends them (`delivery`).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from naboskap.archive import selectors, tasks
from naboskap.archive.models import Registration, Settings
from naboskap.lib import events
from naboskap.lib.start_page import Item

Kind = Registration.Kind

KIND_FIELDS = (
    "archive_concerns",
    "archive_minutes",
    "archive_analyses",
    "archive_reports",
    "archive_letters",
)
SETTINGS_FIELDS = (
    "enabled",
    "concern_folder",
    "archive_notes",
    "restriction_code",
    "restriction_basis",
    "archive_part",
    "classification_system",
    "classification_value",
    "administrative_unit",
    "fiks_io_account",
    *KIND_FIELDS,
)


def settings_of(municipality) -> Settings:
    """The municipality's archive settings (made, turned off, the first time)."""
    found, _made = Settings.objects.get_or_create(municipality=municipality)
    found.municipality = municipality
    return found


def settings_update(*, municipality, **fields) -> Settings:
    if set(fields) - set(SETTINGS_FIELDS):
        raise ValueError(f"cannot change {sorted(set(fields) - set(SETTINGS_FIELDS))}")
    archive = settings_of(municipality)
    for name, value in fields.items():
        setattr(archive, name, value)
    archive.full_clean()
    archive.save()
    return archive


# Registrations ------------------------------------------------------------------------------


def _ref(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _register(
    *,
    archive: Settings,
    kind: str,
    obj_model: str,
    object_id,
    subject,
    title: str,
    folder=None,
    params: dict | None = None,
) -> Registration:
    registration, _made = Registration.objects.get_or_create(
        kind=kind,
        model=obj_model,
        object_id=str(object_id),
        defaults={
            "municipality_id": archive.municipality_id,
            "folder": folder,
            "subject_model": _ref(subject),
            "subject_id": subject.pk,
            "title": title[:300],
            "external_key": f"{kind}:{object_id}",
            "next_attempt_at": timezone.now(),
            "params": params or {},
        },
    )
    return registration


def _folder(archive: Settings, key: str, subject, title: str) -> Registration:
    return _register(
        archive=archive,
        kind=Kind.FOLDER,
        obj_model="archive.folder",
        object_id=key,
        subject=subject,
        title=title,
    )


def _project_name(project) -> str:
    return project.name if project is not None else _("The area in general")


def concern_title(concern) -> str:
    """ "Bekymringsmelding 2026-000123 – Solbakken botiltak – Støy": no personal data."""
    return _("Concern %(reference)s – %(project)s – %(category)s") % {
        "reference": concern.reference,
        "project": _project_name(concern.project),
        "category": concern.category.label if concern.category_id else "",
    }


def _concern_folder(archive: Settings, concern) -> Registration:
    if archive.concern_folder == Settings.ConcernFolder.CONCERN:
        return _folder(archive, f"concern-{concern.pk}", concern, concern_title(concern))
    year = timezone.localtime(concern.created_at).year
    owner = concern.project or concern.municipality
    code = f"p{concern.project_id}" if concern.project_id else f"m{concern.municipality_id}"
    title = _("Concerns %(year)s – %(project)s") % {
        "year": year,
        "project": _project_name(concern.project),
    }
    return _folder(archive, f"concerns-{code}-{year}", owner, title)


MESSAGE_KINDS = {
    "to_reporter": (Kind.ANSWER, gettext_noop("Answer to concern %(reference)s – %(project)s")),
    "from_reporter": (
        Kind.FROM_REPORTER,
        gettext_noop("From the reporter on concern %(reference)s – %(project)s"),
    ),
    "internal": (Kind.NOTE, gettext_noop("Internal note on concern %(reference)s – %(project)s")),
}


def concern_registrations(concern, archive: Settings) -> list[Registration]:
    """A closed concern's registrations: made once each, so a concern closed again adds only
    the messages written since."""
    folder = _concern_folder(archive, concern)
    made = [
        folder,
        _register(
            archive=archive,
            kind=Kind.CONCERN,
            obj_model=_ref(concern),
            object_id=concern.pk,
            subject=concern,
            title=concern_title(concern),
            folder=folder,
        ),
    ]
    kinds = ["to_reporter", "from_reporter"] + (["internal"] if archive.archive_notes else [])
    for message in concern.messages.filter(kind__in=kinds).order_by("created_at", "pk"):
        kind, title = MESSAGE_KINDS[message.kind]
        made.append(
            _register(
                archive=archive,
                kind=kind,
                obj_model=_ref(message),
                object_id=message.pk,
                subject=concern,
                title=_(title)
                % {"reference": concern.reference, "project": _project_name(concern.project)},
                folder=folder,
            )
        )
    return made


def _project_folder(archive: Settings, project) -> Registration:
    title = _("Neighbourhood work – %(project)s") % {"project": project.name}
    return _folder(archive, f"project-{project.pk}", project, title)


def _municipality_folder(archive: Settings) -> Registration:
    municipality = archive.municipality
    title = _("Neighbourhood work – %(project)s") % {"project": municipality.name}
    return _folder(archive, f"municipality-{municipality.pk}", municipality, title)


def _in_project(
    archive: Settings, project, *, kind: str, obj, subject, title: str, params=None
) -> list:
    folder = _project_folder(archive, project) if project else _municipality_folder(archive)
    record = _register(
        archive=archive,
        kind=kind,
        obj_model=_ref(obj),
        object_id=obj.pk,
        subject=subject,
        title=title,
        folder=folder,
        params=params,
    )
    return [folder, record]


def minutes_registrations(version, archive: Settings) -> list[Registration]:
    meeting = version.minutes.meeting
    title = _("Minutes – %(meeting)s %(date)s – %(project)s") % {
        "meeting": meeting.title,
        "date": timezone.localtime(meeting.starts_at).date().isoformat(),
        "project": meeting.project.name,
    }
    if version.version > 1:
        title += " " + _("(version %(version)d)") % {"version": version.version}
    return _in_project(
        archive, meeting.project, kind=Kind.MINUTES, obj=version, subject=meeting, title=title
    )


def analysis_registrations(analysis, archive: Settings) -> list[Registration]:
    title = _("ROS analysis, revision %(revision)d – %(project)s") % {
        "revision": analysis.revision,
        "project": analysis.project.name,
    }
    return _in_project(
        archive, analysis.project, kind=Kind.ANALYSIS, obj=analysis, subject=analysis, title=title
    )


def report_registrations(report, archive: Settings) -> list[Registration]:
    return _in_project(
        archive, report.project, kind=Kind.REPORT, obj=report, subject=report, title=report.title
    )


def letters_registrations(interaction, archive: Settings, details: dict) -> list[Registration]:
    project = interaction.project
    count = sum(part["count"] for part in details["parts"])
    title = _("Letters to neighbours (%(count)d) – %(project)s") % {
        "count": count,
        "project": project.name,
    }
    # The letters as printed: their run is deleted after a day, the record is not.
    params = {"language": details["language"], "parts": details["parts"]}
    return _in_project(
        archive,
        project,
        kind=Kind.LETTERS,
        obj=interaction,
        subject=project,
        title=title,
        params=params,
    )


# What each event makes, when the municipality archives that kind of record.
def _on_status_changed(instance, archive: Settings, details: dict):
    if archive.archive_concerns and details.get("status", [None, None])[1] == "closed":
        return concern_registrations(instance, archive)
    return []


HANDLERS = {
    events.CONCERN_STATUS_CHANGED: _on_status_changed,
    events.MINUTES_APPROVED: lambda version, archive, _details: (
        minutes_registrations(version, archive) if archive.archive_minutes else []
    ),
    events.ANALYSIS_APPROVED: lambda analysis, archive, _details: (
        analysis_registrations(analysis, archive) if archive.archive_analyses else []
    ),
    events.REPORT_MADE: lambda report, archive, _details: (
        report_registrations(report, archive) if archive.archive_reports else []
    ),
    events.LETTERS_SENT: lambda interaction, archive, details: (
        letters_registrations(interaction, archive, details) if archive.archive_letters else []
    ),
}


def event_happened(sender, *, event: str, instance, municipality_id: int, details=None, **_kw):
    """The receiver of `naboskap.lib.events.happened`: make what the event's record needs,
    in the caller's transaction, and have the worker send it after commit."""
    handler = HANDLERS.get(event)
    if handler is None:
        return
    archive = (
        Settings.objects.filter(municipality_id=municipality_id, enabled=True)
        .select_related("municipality")
        .first()
    )
    if archive is None:
        return
    with translation.override(archive.municipality.default_language):
        made = handler(instance, archive, details or {})
    if made:
        transaction.on_commit(tasks.send.enqueue)


# The archivist's actions --------------------------------------------------------------------


def registration_resend(*, registration: Registration) -> Registration:
    """Send again: a failed registration, or one the archive lost (same external key)."""
    registration.status = Registration.Status.WAITING
    registration.next_attempt_at = timezone.now()
    registration.attempts = 0
    registration.last_error = ""
    registration.save(update_fields=["status", "next_attempt_at", "attempts", "last_error"])
    transaction.on_commit(tasks.send.enqueue)
    return registration


# A one-off export ---------------------------------------------------------------------------


def eligible_since(municipality, since) -> list:
    """What the municipality archives that became final on or after `since` (a date), as
    (maker, object) pairs: closed concerns, approved minutes, approved analyses and status
    reports. Letter runs are archived from the moment they are sent only: their letters are
    not kept elsewhere."""
    from naboskap.concerns.models import Concern
    from naboskap.meetings.models import MinutesVersion
    from naboskap.reports.models import StatusReport
    from naboskap.risk.models import Analysis

    archive = settings_of(municipality)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    found = []
    if archive.archive_concerns:
        concerns = Concern.objects.filter(
            municipality=municipality, status="closed", closed_at__gte=start
        ).select_related("municipality", "project", "category")
        found += [(concern_registrations, concern) for concern in concerns.order_by("pk")]
    if archive.archive_minutes:
        versions = MinutesVersion.objects.filter(
            minutes__meeting__project__municipality=municipality, approved_at__gte=start
        ).select_related("minutes__meeting__project")
        found += [(minutes_registrations, version) for version in versions.order_by("pk")]
    if archive.archive_analyses:
        analyses = Analysis.objects.filter(
            project__municipality=municipality, approved_at__gte=start
        ).select_related("project")
        found += [(analysis_registrations, analysis) for analysis in analyses.order_by("pk")]
    if archive.archive_reports:
        reports = StatusReport.objects.filter(
            municipality=municipality, created_at__gte=start
        ).select_related("project")
        found += [(report_registrations, report) for report in reports.order_by("pk")]
    return found


@transaction.atomic
def registrations_since(municipality, since) -> list[Registration]:
    """Every registration of what became final since `since`, made where missing (once: a
    second run makes nothing new). Folders first, in the order they were made."""
    archive = settings_of(municipality)
    made: dict[int, Registration] = {}
    with translation.override(municipality.default_language):
        for maker, obj in eligible_since(municipality, since):
            for registration in maker(obj, archive):
                made.setdefault(registration.pk, registration)
    return sorted(made.values(), key=lambda found: (not found.is_folder, found.pk))


# The start page --------------------------------------------------------------------------------


def start_page_items(sender, *, user, municipality, **kwargs) -> list:
    """For the archive's keepers: the archive page, and what needs them there (registrations
    that failed; sent ones the archive has not answered in a day)."""
    if not user.has_perm("archive.use_archive", municipality):
        return []
    url = reverse("archive:overview")
    counts = selectors.counts_of(municipality)
    items = [Item(str(_("Archive")), url)]
    failed = counts[Registration.Status.FAILED]
    if failed:
        label = ngettext(
            "Archive registration that failed", "Archive registrations that failed", failed
        )
        items.append(Item(label, f"{url}?status=failed", failed, urgent=True))
    unanswered = counts["unanswered"]
    if unanswered:
        label = ngettext(
            "Sent to the archive more than a day ago, no receipt",
            "Sent to the archive more than a day ago, no receipt",
            unanswered,
        )
        items.append(Item(label, f"{url}?status=sent", unanswered))
    return items
