"""Operations on bodies, members, meetings and invitations. Views, the demo and the commands
call these; emails go out from tasks after the commit."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from naboskap.documents.services import documents_changed
from naboskap.lib import pagecache
from naboskap.lib.errors import DomainError
from naboskap.meetings import tasks
from naboskap.meetings.documents import LETTERS
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import (
    AgendaItem,
    AgendaTemplate,
    AgendaTemplateItem,
    Body,
    CostLine,
    Invitation,
    Meeting,
    Member,
    MemberLoginLink,
    Series,
    new_token,
)
from naboskap.meetings.selectors import active_members_filter
from naboskap.meetings.tasks import login_token_hash
from naboskap.outbox import services as outbox
from naboskap.projects.models import Project
from naboskap.tenancy.models import Unit

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
    if member.term_end is not None and member.term_end < timezone.localdate():
        member.share_phone = member.share_email = False  # consent ends with the seat
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_end_term(*, member: Member, on: date | None = None) -> Member:
    """End the member's term today (or `on`); the seat's history stays."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    on = on or timezone.localdate()
    member.term_end = max(on, member.term_start)
    if member.term_end <= timezone.localdate():
        member.share_phone = member.share_email = False  # consent ends with the seat
    member.full_clean()
    member.save(update_fields=["term_end", "share_phone", "share_email"])
    return member


@transaction.atomic
def member_contact_consent(*, member: Member, share_phone: bool, share_email: bool) -> Member:
    """The member's own choice of which contact details the other members see."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.is_active():
        raise ValidationError(_("Your term has ended, so nothing is shared."), code="ended")
    member.share_phone = bool(share_phone)
    member.share_email = bool(share_email)
    member.save(update_fields=["share_phone", "share_email"])
    return member


# Meetings ----------------------------------------------------------------------------------


def _touch_public(meeting: Meeting, was_public: bool = False) -> None:
    if meeting.is_public or was_public:
        pagecache.invalidate()


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


def _told(meeting: Meeting, sequence: int | None = None):
    """Invitations sent (on purpose) the meeting's version `sequence` (by default: any)."""
    told = meeting.invitations.filter(queued_sequence__isnull=False)
    return told if sequence is None else told.filter(queued_sequence=sequence)


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    """Save changes. Nothing is sent: a change that calendars show raises SEQUENCE (calendar
    feeds show it at once), and the meeting page offers to send the update to those invited
    (`invitations_dispatch`)."""
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
    _touch_public(meeting, was_public)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str) -> dict[str, int]:
    """Call the meeting off, with a reason that goes with the cancellation: everyone sent an
    invitation gets an email their calendar understands (METHOD:CANCEL), and letters are
    listed for those invited by letter. Returns {"emails": n, "letters": n} as dispatched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for cancelling. It is sent to everyone invited.")},
            code="no_reason",
        )
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason[:2000]
    meeting.sequence = locked.sequence + 1
    meeting.changed_at = meeting.cancelled_at
    meeting.save(update_fields=["cancelled_at", "cancel_reason", "sequence", "changed_at"])
    _touch_public(meeting)
    if meeting.has_started:
        return {"emails": 0, "letters": 0}
    return invitations_dispatch(meeting=meeting)


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
def invitations_add(
    *,
    meeting: Meeting,
    members: Iterable[Member] = (),
    people: Iterable[dict] = (),
    subscribers: bool = False,
) -> int:
    """Put members, chosen people ({"name", "email", "postal_address"}) and, for a public
    meeting, the project's subscribers on the meeting's invitation list. Whoever is invited
    already is left as they are. Nothing is sent (see `invitations_dispatch`). Returns the
    number of new invitations."""
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
    return len(new)


def members_to_invite(meeting: Meeting):
    """The meeting body's members whose term covers the meeting's date (the ones invited
    without asking); others can be added by hand."""
    if meeting.body_id is None:
        return Member.objects.none()
    on = timezone.localdate(meeting.starts_at)
    return meeting.body.members.filter(active_members_filter(on)).select_related("body")


def invitation_kind(invitation: Invitation, meeting: Meeting) -> str:
    """What sending the meeting's current version means to this invitee."""
    if meeting.is_cancelled:
        return "cancelled"
    return "invitation" if invitation.queued_sequence is None else "changed"


def invitations_pending(meeting: Meeting):
    """Invitations that have not been sent the meeting's current version: new invitees, and
    after a change (or the cancellation) everyone sent an earlier one. Email first."""
    pending = meeting.invitations.exclude(queued_sequence=meeting.sequence)
    if meeting.is_cancelled:  # never told of it: nothing to call off
        pending = pending.filter(queued_sequence__isnull=False)
    return pending.select_related("member").order_by("via", "name", "email", "pk")


def by_letter(invitation: Invitation) -> bool:
    return invitation.via == Invitation.Via.LETTER or invitation.is_bounced


@transaction.atomic
def invitations_dispatch(*, meeting: Meeting) -> dict[str, int]:
    """Send the meeting's current version to everyone who has not had it: emails (with the
    .ics: REQUEST, or CANCEL) go out after the commit, and letters are marked for printing.
    Sending again sends nothing new. Returns {"emails": n, "letters": n}."""
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("project__municipality")
        .get(pk=meeting.pk)
    )
    if not meeting.is_cancelled:
        invitation_check_open(meeting)
    elif meeting.has_started:
        return {"emails": 0, "letters": 0}
    pending = list(invitations_pending(meeting))
    letters = sum(1 for invitation in pending if by_letter(invitation))
    emails = len(pending) - letters
    # A letter invitee keeps the version of their last letter, so the letter says "changed".
    Invitation.objects.filter(
        pk__in=[i.pk for i in pending if i.via == Invitation.Via.LETTER]
    ).update(
        sent_sequence=F("queued_sequence"), queued_sequence=meeting.sequence, sent_at=timezone.now()
    )
    Invitation.objects.filter(
        pk__in=[i.pk for i in pending if i.via != Invitation.Via.LETTER]
    ).update(queued_sequence=meeting.sequence)
    if emails:
        transaction.on_commit(lambda: tasks.send_invitations.enqueue(meeting.pk))
    if letters:  # printed ones: ready before the secretary asks for them
        documents_changed(kind=LETTERS, obj=meeting)
    return {"emails": emails, "letters": letters}


@transaction.atomic
def invitations_send(
    *,
    meeting: Meeting,
    members: Iterable[Member] = (),
    people: Iterable[dict] = (),
    subscribers: bool = False,
) -> int:
    """Add invitees and send at once (the demo loader, which plays a secretary who has
    already checked the preview). Returns the number of new invitations."""
    count = invitations_add(
        meeting=meeting, members=members, people=people, subscribers=subscribers
    )
    invitations_dispatch(meeting=meeting)
    return count


class RsvpClosed(DomainError):
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
    """The address was corrected or works again: emails may go to it (the outbox's flag on
    the address is lifted too)."""
    invitation.bounced_at = None
    invitation.bounce_note = ""
    invitation.save(update_fields=["bounced_at", "bounce_note"])
    outbox.bounce_clear(invitation.email)
    return invitation


# Series ------------------------------------------------------------------------------------

SERIES_MAX_MEETINGS = 60
SERIES_FIELDS = {
    "body",
    "kind",
    "title",
    "place",
    "online_url",
    "description",
    "is_public",
    "first_starts_at",
    "duration_minutes",
    "frequency",
    "interval",
    "monthly_by",
    "until",
    "count",
    "invites_members",
    "template",
}
# What an edit may change: the rule itself (how often) stays; a new rule is a new series.
SERIES_EDIT_FIELDS = {
    "title",
    "place",
    "online_url",
    "description",
    "is_public",
    "start_time",
    "duration_minutes",
    "until",
    "count",
}


def series_occurrences(series: Series) -> list[datetime]:
    """The start of every meeting of the series (aware, in the local time zone, so a meeting at
    18:00 stays at 18:00 across daylight saving time). Uses dateutil's rrule (RFC 5545)."""
    first = timezone.localtime(series.first_starts_at).replace(tzinfo=None, second=0, microsecond=0)
    rule = {"dtstart": first, "interval": series.interval}
    if series.frequency == Series.Frequency.WEEKLY:
        freq = rrule.WEEKLY
    else:
        freq = rrule.MONTHLY
        if series.monthly_by == Series.MonthlyBy.WEEKDAY:
            nth = (first.day - 1) // 7 + 1
            rule["byweekday"] = rrule.weekday(first.weekday())(-1 if nth == 5 else nth)
        else:
            rule["bymonthday"] = first.day
    if series.count:
        rule["count"] = min(series.count, SERIES_MAX_MEETINGS + 1)
    if series.until:
        rule["until"] = datetime.combine(series.until, time.max)
    starts = rrule.rrule(freq, **rule)
    return [timezone.make_aware(start) for start in islice(starts, SERIES_MAX_MEETINGS + 1)]


def series_check(series: Series, occurrences: list[datetime]) -> None:
    """The plain rules: something to schedule, not too much, and not in the past."""
    if not occurrences:
        raise ValidationError(
            _("This rule gives no meetings. Check the first date and the last date."),
            code="empty",
        )
    if len(occurrences) > SERIES_MAX_MEETINGS:
        raise ValidationError(
            _("A series can have at most %(max)s meetings. Choose an earlier last date.")
            % {"max": SERIES_MAX_MEETINGS},
            code="too_many",
        )


def _overlapping(series: Series, slots, exclude: Iterable[int] = ()) -> list[Meeting]:
    """Meetings of the same body (or, without a body, the project's meetings without one) that
    are not cancelled and overlap one of `slots` ((start, end) pairs)."""
    if not slots:
        return []
    overlap = Q()
    for start, end in slots:
        overlap |= Q(starts_at__lt=end, ends_at__gt=start)
    meetings = Meeting.objects.filter(overlap, project=series.project, cancelled_at__isnull=True)
    meetings = meetings.filter(body=series.body) if series.body_id else meetings.filter(body=None)
    return list(meetings.exclude(pk__in=list(exclude)).order_by("starts_at")[:3])


def _refuse_overlaps(series: Series, slots, exclude: Iterable[int] = ()) -> None:
    clashes = _overlapping(series, slots, exclude)
    if clashes:
        listed = "; ".join(
            f"{clash.title} "
            f"{date_format(timezone.localtime(clash.starts_at), 'SHORT_DATETIME_FORMAT')}"
            for clash in clashes
        )
        raise ValidationError(
            _(
                "The series overlaps with meetings that are already planned: %(meetings)s. "
                "Choose another time or day, or end the other series first."
            )
            % {"meetings": listed},
            code="overlap",
        )


def _series_meeting(series: Series, index: int, starts: datetime, created_by) -> Meeting:
    meeting = meeting_create(
        project=series.project,
        created_by=created_by,
        body=series.body,
        kind=series.kind,
        title=series.title,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=series.duration_minutes),
        place=series.place,
        online_url=series.online_url,
        description=series.description,
        is_public=series.is_public,
    )
    Meeting.objects.filter(pk=meeting.pk).update(series=series, series_index=index)
    meeting.series, meeting.series_index = series, index
    if series.template_id:
        agenda_template_apply(template=series.template, meeting=meeting)
    if series.invites_members and series.body_id:
        members = series.body.members.filter(
            active_members_filter(timezone.localdate(starts))
        ).select_related("body")
        # Saving never sends: each meeting's invitations wait for "Send invitations".
        invitations_add(meeting=meeting, members=members)
    return meeting


def _lock_scope(project: Project, body: Body | None) -> None:
    """Two series for the same body are made one after the other, so both see each other."""
    if body is not None:
        Body.objects.select_for_update().filter(pk=body.pk).first()
    else:
        Project.objects.select_for_update().filter(pk=project.pk).first()


@transaction.atomic
def series_create(*, project: Project, created_by, **fields) -> Series:
    """Schedule the series and make all its meetings (and invitations, if asked)."""
    series = Series(project=project, created_by=created_by)
    _set_fields(series, fields, SERIES_FIELDS)
    if series.body is not None and series.body.project_id != project.pk:
        raise ValueError("the body belongs to another project")
    if series.template is not None and series.template.project_id != project.pk:
        raise ValueError("the template belongs to another project")
    if series.first_starts_at <= timezone.now():
        raise ValidationError(
            _("The first meeting is in the past. A new series must start at a time to come."),
            code="past",
        )
    if series.invites_members and series.body is None:
        raise ValidationError(_("Choose the body whose members to invite."), code="no_body")
    series.full_clean()
    _lock_scope(project, series.body)
    occurrences = series_occurrences(series)
    series_check(series, occurrences)
    length = timedelta(minutes=series.duration_minutes)
    _refuse_overlaps(series, [(start, start + length) for start in occurrences])
    series.save()
    for index, starts in enumerate(occurrences):
        _series_meeting(series, index, starts, created_by)
    return series


@transaction.atomic
def series_edit(*, series: Series, edited_by=None, **fields) -> dict[str, int]:
    """Change the meetings to come: their title, place, time of day, length, or the series'
    end (more meetings, or the last ones cancelled). Past meetings stay as they were.
    Returns how many meetings were changed, added and cancelled."""
    _lock_scope(series.project, series.body)
    locked = Series.objects.select_for_update().get(pk=series.pk)
    if locked.is_ended:
        raise ValidationError(_("This series has ended and can no longer be changed."))
    start_time = fields.pop("start_time", None)
    for name in fields:
        if name not in SERIES_EDIT_FIELDS:
            raise ValueError(f"{name} is not an editable field")
    _set_fields(series, fields, SERIES_FIELDS)
    first = timezone.localtime(series.first_starts_at)
    if start_time is not None:
        series.first_starts_at = timezone.make_aware(datetime.combine(first.date(), start_time))
    series.full_clean()
    occurrences = series_occurrences(series)
    series_check(series, occurrences)
    now = timezone.now()
    length = timedelta(minutes=series.duration_minutes)
    new_time = timezone.localtime(series.first_starts_at).time()
    coming = {
        m.series_index: m
        for m in series.meetings.select_for_update().filter(starts_at__gt=now).order_by("pk")
    }
    known = set(series.meetings.values_list("series_index", flat=True))
    updates, creates, cancels = [], [], []
    for index, meeting in coming.items():
        if meeting.is_cancelled:
            continue
        if index is None or index >= len(occurrences):
            cancels.append(meeting)
            continue
        day = timezone.localtime(meeting.starts_at).date()
        starts = timezone.make_aware(datetime.combine(day, new_time))
        if starts <= now:  # moved into the past today: leave its time alone
            starts = meeting.starts_at
        updates.append((meeting, starts))
    for index, starts in enumerate(occurrences):
        if index not in known and starts > now:
            creates.append((index, starts))
    slots = [(s, s + length) for _m, s in updates] + [(s, s + length) for _i, s in creates]
    _refuse_overlaps(series, slots, exclude=[m.pk for m in coming.values()])
    series.save()
    calendar_fields = {
        name: getattr(series, name)
        for name in ("title", "place", "online_url", "description", "is_public")
    }
    for meeting, starts in updates:
        meeting_update(
            meeting=meeting, starts_at=starts, ends_at=starts + length, **calendar_fields
        )
        if _told(meeting).exists():  # editing a series tells everyone invited, as it says
            invitations_dispatch(meeting=meeting)
    for index, starts in creates:
        _series_meeting(series, index, starts, edited_by)
    for meeting in cancels:
        meeting_cancel(meeting=meeting, reason=_("The meeting series was shortened."))
    return {"changed": len(updates), "added": len(creates), "cancelled": len(cancels)}


@transaction.atomic
def series_end(*, series: Series) -> int:
    """End the series now: the meetings to come are cancelled (everyone emailed is told), the
    past ones stay. Returns how many were cancelled."""
    locked = Series.objects.select_for_update().get(pk=series.pk)
    if locked.is_ended:
        raise ValidationError(_("This series has already ended."))
    series.ended_at = timezone.now()
    series.save(update_fields=["ended_at"])
    coming = series.meetings.filter(starts_at__gt=series.ended_at, cancelled_at__isnull=True)
    cancelled = 0
    for meeting in coming.order_by("starts_at"):
        meeting_cancel(meeting=meeting, reason=_("The meeting series has ended."))
        cancelled += 1
    return cancelled


# Social events: budget and costs -----------------------------------------------------------


def _social_event(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.kind != Meeting.Kind.SOCIAL:
        raise ValidationError(_("Only social events have a budget and costs."), code="not_social")
    return locked


@transaction.atomic
def meeting_set_budget(*, meeting: Meeting, budget: Decimal | None) -> Meeting:
    _social_event(meeting)
    meeting.budget = budget
    meeting.full_clean()
    meeting.save(update_fields=["budget"])
    return meeting


@transaction.atomic
def cost_line_add(
    *, meeting: Meeting, item: str, amount: Decimal, paying_unit: Unit, created_by=None
) -> CostLine:
    locked = _social_event(meeting)
    if paying_unit.municipality_id != meeting.project.municipality_id:
        raise ValueError("the paying unit belongs to another municipality")
    line = CostLine(
        meeting=locked,
        item=item.strip(),
        amount=amount,
        paying_unit=paying_unit,
        created_by=created_by,
    )
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def cost_line_delete(*, cost_line: CostLine) -> None:
    _social_event(cost_line.meeting)
    cost_line.delete()


# One-time login links for members without an account --------------------------------------

# A letter's code must survive the post: it works once, for this long after printing.
LOGIN_LETTER_LIFETIME = timedelta(days=14)
# Letter codes: 8 characters without the ones people mix up (0/O, 1/I/L), typed in any case
# and with or without the hyphen printed in the middle. 31**8 codes, and typing is rate-limited.
LOGIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOGIN_CODE_LENGTH = 8
# At most this many links per member per hour, whoever asks (staff or the member).
LOGIN_LINKS_PER_HOUR = 3


class LoginLinkRefused(DomainError):
    """The link was used already, has expired, or is not (or no longer) valid."""


def _throttled(member: Member) -> bool:
    since = timezone.now() - timedelta(hours=1)
    return member.login_links.filter(created_at__gte=since).count() >= LOGIN_LINKS_PER_HOUR


def _locked(member: Member) -> Member:
    """The member's row, locked until the transaction ends: one link at a time per member."""
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("body__project__municipality")
        .get(pk=member.pk)
    )


def _login_refusal(member: Member, *, by_email: bool) -> str | None:
    """Why the member cannot get a link (or a letter's code) now, if they cannot."""
    if by_email and not member.email:
        return _("%(name)s has no email address. Add one first.") % {"name": member.name}
    if not member.is_active():
        return _("The term of %(name)s has ended.") % {"name": member.name}
    if _throttled(member):
        return _(
            "%(name)s got %(count)s links in the last hour. Wait a while before you send another."
        ) % {"name": member.name, "count": LOGIN_LINKS_PER_HOUR}
    return None


@transaction.atomic
def member_login_link_send(
    *, member: Member, created_by=None, requested_by_member: bool = False
) -> MemberLoginLink | None:
    """Email the member a link to the members' page (made and sent by the worker). Staff get
    a message when the member cannot get one; a member's own request is quietly ignored then
    (the answer never tells whether an address belongs to a member)."""
    member = _locked(member)
    problem = _login_refusal(member, by_email=True)
    if problem:
        if requested_by_member:
            return None
        raise ValidationError(problem, code="refused")
    link = MemberLoginLink.objects.create(
        member=member,
        email=member.email,
        language=member.body.project.municipality.default_language,
        created_by=created_by,
        requested_by_member=requested_by_member,
    )
    transaction.on_commit(lambda: tasks.send_member_login_link.enqueue(link.pk))
    return link


def member_login_links_request(*, municipality, email: str) -> int:
    """A member asks for a new link by email address: one link per current seat with that
    address in the municipality. Returns how many went out (never shown to the asker)."""
    members = Member.objects.filter(
        active_members_filter(timezone.localdate()),
        email__iexact=email.strip(),
        body__project__municipality=municipality,
    ).order_by("pk")
    sent = 0
    for member in members[:10]:
        sent += member_login_link_send(member=member, requested_by_member=True) is not None
    return sent


def login_code_normal(code: str) -> str:
    """A typed code as it is stored: upper case, without spaces or hyphens."""
    return "".join(code.split()).replace("-", "").upper()


def login_code_format(code: str) -> str:
    """A code as it is printed: two groups of four."""
    half = LOGIN_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


@transaction.atomic
def member_login_letter_create(*, member: Member, created_by=None) -> tuple[MemberLoginLink, str]:
    """A login code for a letter, for a member without email (or who prefers post). Returns
    the link and its code, which exists only in the printed letter. The same limits as a
    link: single use, at most `LOGIN_LINKS_PER_HOUR` per member and hour, a current seat."""
    member = _locked(member)
    problem = _login_refusal(member, by_email=False)
    if problem:
        raise ValidationError(problem, code="refused")
    now = timezone.now()
    while True:
        code = "".join(secrets.choice(LOGIN_CODE_ALPHABET) for _ in range(LOGIN_CODE_LENGTH))
        if not MemberLoginLink.objects.filter(token_hash=login_token_hash(code)).exists():
            break
    link = MemberLoginLink.objects.create(
        member=member,
        via=MemberLoginLink.Via.LETTER,
        token_hash=login_token_hash(code),
        language=member.body.project.municipality.default_language,
        created_by=created_by,
        sent_at=now,
        expires_at=now + LOGIN_LETTER_LIFETIME,
    )
    return link, code


def login_link_find(*, token: str, municipality, lock: bool = False) -> MemberLoginLink | None:
    links = MemberLoginLink.objects.select_related("member__body__project")
    if lock:
        links = links.select_for_update(of=("self",))
    return links.filter(
        token_hash=login_token_hash(token), member__body__project__municipality=municipality
    ).first()


def login_link_check(link: MemberLoginLink | None) -> None:
    """Refuse a link that is unknown, used, expired, or for a seat that has ended."""
    if link is None or link.sent_at is None:
        raise LoginLinkRefused(_("This login link is not valid."), code="unknown")
    if link.used_at is not None:
        raise LoginLinkRefused(
            _("This login link has been used already. Each link works once."), code="used"
        )
    if link.expires_at <= timezone.now():
        if link.via == MemberLoginLink.Via.LETTER:
            message = _("This code has expired. Codes on letters work for %(days)s days.") % {
                "days": LOGIN_LETTER_LIFETIME.days
            }
        else:
            message = _("This login link has expired. Links work for 24 hours.")
        raise LoginLinkRefused(message, code="expired")
    if not link.member.is_active() or (
        link.via == MemberLoginLink.Via.EMAIL and link.member.email.lower() != link.email.lower()
    ):
        raise LoginLinkRefused(
            _("This login link is no longer valid for this membership."), code="member"
        )


@transaction.atomic
def member_login_link_use(*, token: str, municipality) -> Member:
    """Spend the link: it works once, within its lifetime, for a current member."""
    link = login_link_find(token=token, municipality=municipality, lock=True)
    login_link_check(link)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link.member


# Agenda templates --------------------------------------------------------------------------

TEMPLATE_ITEM_FIELDS = ("title", "description", "presenter", "duration_minutes", "for_residents")


@transaction.atomic
def agenda_template_save(*, meeting: Meeting, name: str, created_by=None) -> AgendaTemplate:
    """Keep the meeting's agenda (its items' titles, descriptions, presenters, durations and
    residents' marks; not the links to concerns or measures, which belong to one meeting) as
    a named template of the meeting's body, or of the project for a meeting without one."""
    items = list(meeting.agenda_items.order_by("position", "pk"))
    if not items:
        raise ValidationError(_("The agenda has no items to save."), code="empty")
    name = name.strip()
    if AgendaTemplate.objects.filter(project_id=meeting.project_id, name__iexact=name).exists():
        raise ValidationError(
            _("The project already has an agenda template called “%(name)s”.") % {"name": name},
            code="taken",
        )
    template = AgendaTemplate(
        project_id=meeting.project_id, body_id=meeting.body_id, name=name, created_by=created_by
    )
    template.full_clean()
    template.save()
    AgendaTemplateItem.objects.bulk_create(
        AgendaTemplateItem(
            template=template,
            position=position,
            **{field: getattr(item, field) for field in TEMPLATE_ITEM_FIELDS},
        )
        for position, item in enumerate(items)
    )
    return template


@transaction.atomic
def agenda_template_apply(*, template: AgendaTemplate, meeting: Meeting) -> int:
    """Add the template's items to the end of the meeting's agenda. Returns how many."""
    if template.project_id != meeting.project_id:
        raise ValueError("the template belongs to another project")
    count = 0
    for item in template.items.order_by("position", "pk"):
        minutes_services.agenda_item_add(
            meeting=meeting, **{field: getattr(item, field) for field in TEMPLATE_ITEM_FIELDS}
        )
        count += 1
    return count


@transaction.atomic
def agenda_template_delete(*, template: AgendaTemplate) -> None:
    """Meetings made from the template keep their agendas."""
    template.delete()


@transaction.atomic
def residents_meeting_create(
    *, council_meeting: Meeting, created_by, title: str, starts_at, ends_at, place: str = ""
) -> Meeting:
    """A residents' meeting before the council meets, with the council's items that are
    marked for it. Each copy links back to its council item."""
    council_meeting = Meeting.objects.select_for_update().get(pk=council_meeting.pk)
    if council_meeting.kind != Meeting.Kind.COUNCIL:
        raise minutes_services.MinutesError(
            _("Only a council meeting can have a residents' meeting.")
        )
    items = list(council_meeting.agenda_items.filter(for_residents=True).order_by("position"))
    if not items:
        raise minutes_services.MinutesError(
            _("Mark at least one agenda item “for the residents' meeting” first.")
        )
    if starts_at >= council_meeting.starts_at:
        raise minutes_services.MinutesError(
            {"starts_at": _("The residents' meeting must be before the council meeting.")}
        )
    meeting = meeting_create(
        project=council_meeting.project,
        created_by=created_by,
        body=council_meeting.body,
        kind=Meeting.Kind.RESIDENTS,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        is_public=False,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=position,
            title=item.title,
            description=item.description,
            presenter=item.presenter,
            duration_minutes=item.duration_minutes,
            concern_id=item.concern_id,
            unwanted_event_id=item.unwanted_event_id,
            measure_id=item.measure_id,
            council_item=item,
        )
        for position, item in enumerate(items)
    )
    return meeting
