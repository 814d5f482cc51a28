"""Emails about meetings, run by `manage.py db_worker` (and the reminder command).

Each invitation is claimed before its email goes out (its `sent_sequence` or
`reminder_sent_at` is set first), so a second worker or a re-run sends nothing twice. An
address the mail server refuses is flagged as bounced, for staff to send a letter instead.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from naboskap.meetings import ical
from naboskap.meetings.models import Invitation, Meeting, MemberLoginLink
from naboskap.outbox import services as outbox
from naboskap.scheduling.jobs import Counts
from naboskap.tenancy.selectors import municipality_url

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(days=2)
# A member's one-time login link works this long after its email is sent.
LOGIN_LINK_LIFETIME = timedelta(hours=24)
# Someone invited within this long before the meeting needs no reminder straight away.
FRESH_INVITATION = timedelta(days=1)


def login_token_hash(token: str) -> str:
    """What is kept of a login link's token or a letter's code: only its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_email(invitation, kind: str) -> tuple[str, str, str]:
    """(subject, text, RSVP address) of the email `invitation` gets for `kind` (invitation,
    changed, cancelled, reminder), in the invitee's language. The preview shows the same."""
    meeting = invitation.meeting
    municipality = meeting.project.municipality
    rsvp_url = municipality_url(municipality, invitation.get_rsvp_url())
    context = {
        "invitation": invitation,
        "meeting": meeting,
        "project": meeting.project,
        "kind": kind,
        "rsvp_url": rsvp_url,
        "agenda": list(meeting.agenda_items.order_by("position", "pk")),
    }
    with translation.override(invitation.language):
        subject = render_to_string("meetings/email/invitation_subject.txt", context).strip()
        body = render_to_string("meetings/email/invitation_body.txt", context)
    return subject, body, rsvp_url


def _queue(invitation, kind: str, key: str) -> None:
    """Store the email `invitation` gets for `kind`, with the meeting as a calendar file, in
    the outbox. A refused address is flagged there (`address_bounced`), which marks the
    invitation as bounced (`services.email_mark_bounced`)."""
    meeting = invitation.meeting
    subject, body, rsvp_url = invitation_email(invitation, kind)
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    with translation.override(invitation.language):
        calendar = ical.invitation_ics(invitation, url=rsvp_url)
    outbox.queue(
        key=key,
        to=invitation.email,
        subject=subject,
        body=body,
        kind="meeting_reminder" if kind == "reminder" else "meeting_invitation",
        municipality=meeting.project.municipality,
        attachments=[
            outbox.File(
                "cancel.ics" if meeting.is_cancelled else "invitation.ics",
                calendar.encode() if isinstance(calendar, str) else calendar,
                f"text/calendar; method={method}; charset=utf-8",
            )
        ],
    )


@task()
def send_invitations(meeting_id: int) -> int:
    """Email every invitee whom staff chose to send the meeting's current version to
    (`queued_sequence`) and who has not had it yet: the invitation, a change, or the
    cancellation. Returns how many emails went out."""
    meeting = Meeting.objects.select_related("project__municipality").filter(pk=meeting_id).first()
    if meeting is None or meeting.has_started:
        return 0
    pending = (
        meeting.invitations.filter(
            via=Invitation.Via.EMAIL, bounced_at__isnull=True, queued_sequence=meeting.sequence
        )
        .exclude(sent_sequence=meeting.sequence)
        .order_by("pk")
    )
    sent = 0
    for invitation in pending:
        previous = invitation.sent_sequence
        if previous is None and meeting.is_cancelled:
            continue  # never told of it: nothing to call off
        same = Q(sent_sequence__isnull=True) if previous is None else Q(sent_sequence=previous)
        with transaction.atomic():  # the claim and the stored email, or neither
            claimed = Invitation.objects.filter(same, pk=invitation.pk).update(
                sent_sequence=meeting.sequence, sent_at=timezone.now()
            )
            if not claimed:
                continue
            invitation.meeting = meeting
            if meeting.is_cancelled:
                kind = "cancelled"
            else:
                kind = "invitation" if previous is None else "changed"
            _queue(invitation, kind, key=f"meeting-invitation:{invitation.pk}:{meeting.sequence}")
        sent += 1
    return sent


def meeting_reminders(*, now=None, counts: Counts | None = None) -> int:
    """Remind everyone emailed about a meeting that starts within two days, once. Those who
    answered no are left alone. Returns the number of reminders sent.

    Run it hourly or daily: `manage.py send_meeting_reminders`.
    """
    now = now or timezone.now()
    due = (
        Invitation.objects.filter(
            via=Invitation.Via.EMAIL,
            bounced_at__isnull=True,
            sent_at__isnull=False,
            sent_at__lte=now - FRESH_INVITATION,
            reminder_sent_at__isnull=True,
            meeting__cancelled_at__isnull=True,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + REMINDER_BEFORE,
        )
        .exclude(response=Invitation.Response.NO)
        .select_related("meeting__project__municipality")
        .order_by("meeting_id", "pk")
    )
    sent = 0
    for invitation in due:
        claimed = Invitation.objects.filter(pk=invitation.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if claimed:
            _queue(invitation, "reminder", key=f"meeting-reminder:{invitation.pk}")
            sent += 1
            if counts is not None:
                counts.add("emails", invitation.meeting.project.municipality_id)
    return sent


@task()
def send_meeting_reminders() -> int:
    return meeting_reminders()


@task()
def send_member_login_link(link_id: int) -> bool:
    """Make the link's token, keep only its hash, and email the link. The token exists only
    in this email; claiming the row first means a re-run sends nothing twice."""
    link = (
        MemberLoginLink.objects.select_related("member__body__project__municipality")
        .filter(pk=link_id, sent_at__isnull=True)
        .first()
    )
    if link is None:
        return False
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    claimed = MemberLoginLink.objects.filter(pk=link.pk, sent_at__isnull=True).update(
        token_hash=login_token_hash(token), sent_at=now, expires_at=now + LOGIN_LINK_LIFETIME
    )
    if not claimed:
        return False
    body = link.member.body
    municipality = body.project.municipality
    context = {
        "member": link.member,
        "body": body,
        "project": body.project,
        "municipality": municipality,
        "url": municipality_url(municipality, reverse("portal:member_login", args=[token])),
        "request_url": municipality_url(municipality, reverse("portal:member_link_request")),
        "hours": int(LOGIN_LINK_LIFETIME.total_seconds() // 3600),
    }
    with translation.override(link.language):
        subject = render_to_string("meetings/email/login_link_subject.txt", context)
        text = render_to_string("meetings/email/login_link_body.txt", context)
    # The token is in the outbox only until the email is sent (its text is erased then).
    outbox.queue(
        key=f"member-login:{link.pk}",
        to=link.email,
        subject=subject,
        body=text,
        kind="member_login",
        municipality=municipality,
    )
    return True
