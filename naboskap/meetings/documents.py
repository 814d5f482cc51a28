"""A meeting's minutes and its printed invitation letters as stored documents
(naboskap.documents), rendered by the worker and sent from storage.

Minutes: the text as it reads now (variant "") changes with every edit (`minutes.services`
report each one); an approved version (variant "2") never changes. The fingerprint of the
text as it reads now is a hash of that text (`selectors.minutes_content`) and the minutes'
state, so nothing the minutes show can change without it.

Letters: one page per invitee who gets a letter (no working email address) once the
meeting's current version was sent (`services.invitations_dispatch` reports it). The
fingerprint hashes the invitees, the meeting, its agenda and the day (the letters are dated).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.meetings import selectors
from naboskap.meetings.models import Meeting, Minutes, MinutesVersion
from naboskap.tenancy.selectors import municipality_url

MINUTES = "meetings.minutes"
LETTERS = "meetings.letters"


def _digest(*parts) -> str:
    text = json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _fields(obj: Model) -> list:
    return [getattr(obj, field.attname) for field in obj._meta.concrete_fields]


def _meeting(pk: int) -> Meeting:
    return Meeting.objects.select_related("project__municipality", "body").get(pk=pk)


def _project(meeting: Meeting) -> list:
    project = meeting.project
    return [project.name, project.slug, project.municipality.name]


# Minutes -----------------------------------------------------------------------------------


def minutes_context(meeting: Meeting, minutes: Minutes, version: MinutesVersion | None) -> dict:
    """What the minutes' PDF shows: an approved version, or the text as it reads now."""
    # Local: minutes.services reports its changes through this module (an import cycle).
    from naboskap.meetings.minutes.services import person_name

    context = {"project": meeting.project, "meeting": meeting, "minutes": minutes}
    if version is not None:
        context.update(
            content=version.content,
            version_number=version.version,
            approved_at=version.approved_at,
            approved_by_name=version.approved_by_name,
        )
    else:
        context.update(
            content=selectors.minutes_content(meeting),
            version_number=minutes.version,
            draft=not minutes.is_approved,
            approved_at=minutes.approved_at,
            approved_by_name=person_name(minutes.approved_by),
        )
    return context


def _minutes_render(job: Job) -> bytes:
    meeting = _meeting(job.obj.pk)
    minutes = Minutes.objects.select_related("approved_by").get(meeting=meeting)
    minutes.meeting = meeting
    version = minutes.versions.get(version=int(job.variant)) if job.variant else None
    return render_pdf("meetings/minutes_pdf.html", minutes_context(meeting, minutes, version))


def _minutes_shown(meeting: Meeting, variant: str) -> str:
    if variant:  # an approved version: as it was approved
        return _digest(variant, _project(meeting))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    return _digest(
        _fields(minutes) if minutes else None,
        selectors.minutes_content(meeting) if minutes else None,
        _fields(meeting),
        _project(meeting),
    )


def minutes_filename(meeting: Meeting, variant: str = "", part: int = 1) -> str:
    if variant:
        return f"referat-{meeting.pk}-v{variant}.pdf"
    version = Minutes.objects.filter(meeting=meeting).values_list("version", flat=True).first()
    return f"referat-{meeting.pk}-v{version or 1}.pdf"


# Letters -----------------------------------------------------------------------------------


def letters_context(meeting: Meeting) -> dict:
    project = meeting.project
    site = municipality_url(project.municipality, "")
    letters = [
        (invitation, site + invitation.get_rsvp_url(), selectors.letter_kind(invitation, meeting))
        for invitation in selectors.letter_invitations(meeting)
    ]
    return {
        "meeting": meeting,
        "project": project,
        "letters": letters,
        "agenda": list(meeting.agenda_items.order_by("position", "pk")),
        "letter_date": timezone.localdate(),
        # The short RSVP address stands for the invitee's token: it stops working once the
        # meeting is over, when there is nothing left to answer.
        "link_expires": meeting.ends_at + timedelta(days=1),
    }


def _letters_render(job: Job) -> bytes:
    return render_pdf("meetings/letters_pdf.html", letters_context(_meeting(job.obj.pk)))


def _letters_shown(meeting: Meeting, variant: str) -> str:
    invitations = list(selectors.letter_invitations(meeting).values())
    agenda = list(meeting.agenda_items.order_by("position", "pk").values())
    return _digest(invitations, agenda, _fields(meeting), _project(meeting), timezone.localdate())


def letters_filename(meeting: Meeting, variant: str = "", part: int = 1) -> str:
    return f"invitasjoner-{meeting.starts_at:%Y-%m-%d}-{meeting.pk}.pdf"


register(
    Kind(
        name=MINUTES,
        model=Meeting,
        label=_("Minutes"),
        render=_minutes_render,
        filename=minutes_filename,
        municipality_id=lambda meeting: meeting.project.municipality_id,
        project_id=lambda meeting: meeting.project_id,
        fingerprint=_minutes_shown,
        ahead=True,
    )
)
register(
    Kind(
        name=LETTERS,
        model=Meeting,
        label=_("Invitation letters"),
        render=_letters_render,
        filename=letters_filename,
        municipality_id=lambda meeting: meeting.project.municipality_id,
        project_id=lambda meeting: meeting.project_id,
        fingerprint=_letters_shown,
        ahead=True,
    )
)
