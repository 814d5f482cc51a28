"""Operations on bodies, members, meetings and invitations. Views, the demo and the commands
call these; emails go out from tasks after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from naboskap.lib import pagecache
from naboskap.meetings import tasks
from naboskap.meetings.models import Body, Invitation, Meeting, Member, new_token
from naboskap.projects.models import Project

BODY_FIELDS = {"name", "mandate", "secretariat", "meeting_interval_months"}
MEETING_FIELDS = {
    "body",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "description",
    "is_public",
}
# What a calendar shows: a change to any of these is sent to the invitees as an update.
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "place", "online_url", "description"}


def _set_fields(obj, fields: dict, allowed: set[str]) -> None:
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} is not an editable field")
        setattr(obj, name, value)


# Bodies and members ------------------------------------------------------------------------


@transaction.atomic
def body_create(*, project: Project, **fields) -> Body:
    body = Body(project=project)
    _set_fields(body, fields, BODY_FIELDS)
    body.full_clean()
    body.save()
    return body


@transaction.atomic
def body_edit(*, body: Body, **fields) -> Body:
    _set_fields(body, fields, BODY_FIELDS)
    body.full_clean()
    body.save(update_fields=list(fields))
    return body


@transaction.atomic
def body_feed_rotate(*, body: Body) -> Body:
    """A new secret calendar address; the old one stops working."""
    body.feed_token = new_token()
    body.save(update_fields=["feed_token"])
    return body


@transaction.atomic
def member_save(*, body: Body, member: Member) -> Member:
    member.body = body
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_end_term(*, member: Member, on: date | None = None) -> Member:
    """End the member's term today (or `on`); the seat's history stays."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    on = on or timezone.localdate()
    member.term_end = max(on, member.term_start)
    member.full_clean()
    member.save(update_fields=["term_end"])
    return member


# Meetings ----------------------------------------------------------------------------------


def _touch_public(meeting: Meeting, was_public: bool = False) -> None:
    if meeting.is_public or was_public:
        pagecache.invalidate()


def _resend(meeting: Meeting) -> None:
    transaction.on_commit(lambda: tasks.send_invitations.enqueue(meeting.pk))


@transaction.atomic
def meeting_create(*, project: Project, created_by, **fields) -> Meeting:
    meeting = Meeting(project=project, created_by=created_by)
    _set_fields(meeting, fields, MEETING_FIELDS)
    if meeting.body is not None and meeting.body.project_id != project.pk:
        raise ValueError("the body belongs to another project")
    meeting.full_clean()
    meeting.save()
    _touch_public(meeting)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    """Save changes; a change calendars show bumps SEQUENCE and goes to everyone emailed."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.is_cancelled:
        raise ValidationError(_("This meeting is cancelled and can no longer be changed."))
    was_public = locked.is_public
    changed = {name for name, value in fields.items() if getattr(locked, name) != value}
    _set_fields(meeting, fields, MEETING_FIELDS)
    meeting.sequence = locked.sequence + (1 if changed & CALENDAR_FIELDS else 0)
    meeting.changed_at = timezone.now()
    meeting.full_clean()
    meeting.save(update_fields=[*fields, "sequence", "changed_at"])
    if meeting.sequence != locked.sequence and not meeting.has_started:
        _resend(meeting)
    _touch_public(meeting, was_public)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Call the meeting off; everyone emailed gets a cancellation their calendar understands."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    meeting.cancelled_at = timezone.now()
    meeting.sequence = locked.sequence + 1
    meeting.changed_at = meeting.cancelled_at
    meeting.save(update_fields=["cancelled_at", "sequence", "changed_at"])
    if not meeting.has_started:
        _resend(meeting)
    _touch_public(meeting)
    return meeting


# Invitations -------------------------------------------------------------------------------


def invitation_check_open(meeting: Meeting) -> None:
    """Invitations go out only for meetings that are on and still to come."""
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled. Nobody can be invited to it."))
    if meeting.has_started:
        raise ValidationError(
            _(
                "This meeting started %(when)s, which is in the past. Change its time before "
                "you send invitations."
            )
            % {"when": date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")}
        )


@transaction.atomic
def invitations_send(
    *,
    meeting: Meeting,
    members: Iterable[Member] = (),
    people: Iterable[dict] = (),
    subscribers: bool = False,
) -> int:
    """Invite members, chosen people ({"name", "email", "postal_address"}) and, for a public
    meeting, the project's subscribers. Whoever is invited already is left as they are.
    Returns the number of new invitations; emails go out after the commit."""
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("project__municipality")
        .get(pk=meeting.pk)
    )
    invitation_check_open(meeting)
    project = meeting.project
    if subscribers and not (meeting.is_public and project.is_public):
        raise ValidationError(_("Only public meetings of public projects go to subscribers."))
    language = project.municipality.default_language
    known = meeting.invitations.values_list("member_id", "email")
    member_ids = {member_id for member_id, _email in known if member_id}
    emails = {email.lower() for _member_id, email in known if email}
    new = []

    def add(invitation: Invitation) -> None:
        email = invitation.email.strip().lower()
        if (invitation.member_id and invitation.member_id in member_ids) or email in emails:
            return
        invitation.email = email
        invitation.via = Invitation.Via.EMAIL if email else Invitation.Via.LETTER
        invitation.meeting = meeting
        if invitation.member_id:
            member_ids.add(invitation.member_id)
        if email:
            emails.add(email)
        new.append(invitation)

    body_ids = set(project.bodies.values_list("pk", flat=True))
    for member in members:
        if member.body_id not in body_ids:
            raise ValueError("the member belongs to another project")
        add(
            Invitation(
                member=member,
                name=member.name,
                email=member.email,
                postal_address=member.postal_address,
                language=language,
            )
        )
    for person in people:
        add(
            Invitation(
                name=person.get("name", ""),
                email=person.get("email", ""),
                postal_address=person.get("postal_address", ""),
                language=language,
            )
        )
    if subscribers:
        for subscription in project.subscriptions.filter(confirmed_at__isnull=False):
            add(Invitation(email=subscription.email, language=subscription.language))
    Invitation.objects.bulk_create(new)
    if any(i.via == Invitation.Via.EMAIL for i in new):
        _resend(meeting)
    return len(new)


class RsvpClosed(ValidationError):
    """The meeting has started or is cancelled: the link no longer takes answers."""


def rsvp_check_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise RsvpClosed(_("This meeting is cancelled."), code="cancelled")
    if meeting.has_started:
        raise RsvpClosed(_("This meeting has passed."), code="passed")


@transaction.atomic
def rsvp_answer(*, invitation: Invitation, response: str) -> str:
    """Record (or change) the invitee's answer. Returns the answer it had before."""
    locked = Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    rsvp_check_open(locked.meeting)
    if response not in {Invitation.Response.YES, Invitation.Response.NO, Invitation.Response.MAYBE}:
        raise ValidationError(_("Choose yes, no or maybe."), code="invalid")
    previous = locked.response
    invitation.response = response
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    return previous


@transaction.atomic
def invitation_mark_bounced(*, invitation: Invitation, note: str = "") -> Invitation:
    """The address did not work: staff see it, with the suggestion to send a letter."""
    invitation.bounced_at = timezone.now()
    invitation.bounce_note = note[:300]
    invitation.save(update_fields=["bounced_at", "bounce_note"])
    return invitation


@transaction.atomic
def email_mark_bounced(*, email: str, note: str = "") -> int:
    """Flag every invitation to `email` for meetings that have not ended. Returns how many."""
    invitations = Invitation.objects.filter(
        email__iexact=email.strip(), bounced_at__isnull=True, meeting__ends_at__gte=timezone.now()
    )
    return invitations.update(bounced_at=timezone.now(), bounce_note=note[:300])


@transaction.atomic
def invitation_clear_bounce(*, invitation: Invitation) -> Invitation:
    """The address was corrected or works again: emails may go to it."""
    invitation.bounced_at = None
    invitation.bounce_note = ""
    invitation.save(update_fields=["bounced_at", "bounce_note"])
    return invitation
