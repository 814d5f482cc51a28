"""A reminder two days before, sent once, and not to those who said no."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from naboskap.conftest import send_outbox
from naboskap.meetings.models import Invitation
from naboskap.meetings.tasks import meeting_reminders, send_invitations
from naboskap.meetings.tests.factories import invitation, make_meeting
from naboskap.meetings.tests.helpers import event_of, rsvp_path, subject_starts


def sent_long_ago(meeting):
    """Send the invitations now (as the worker does), as if it happened a week ago."""
    send_invitations.call(meeting.pk)
    send_outbox()
    Invitation.objects.filter(meeting=meeting).update(sent_at=timezone.now() - timedelta(days=7))
    mail.outbox.clear()


@pytest.fixture
def soon(world):
    meeting = make_meeting(world.project, days=1.5, title="Naborådsmøte")
    invitation(meeting, email="ja@example.org", name="Ja")
    invitation(meeting, email="nei@example.org", name="Nei")
    invitation(meeting, email="vet.ikke@example.org", name="Vet ikke")
    meeting.invitations.filter(email="nei@example.org").update(response="no")
    sent_long_ago(meeting)
    return meeting


def test_a_reminder_goes_out_once_two_days_before(soon):
    out = StringIO()
    call_command("send_meeting_reminders", stdout=out)
    assert "Sent 2 meeting reminder(s)." in out.getvalue()
    send_outbox()
    assert sorted(m.to[0] for m in mail.outbox) == ["ja@example.org", "vet.ikke@example.org"]
    message = mail.outbox[0]
    assert subject_starts(message, "Reminder:", "Naborådsmøte")
    assert "Naborådsmøte" in message.body
    invited = soon.invitations.get(email=message.to[0])
    assert rsvp_path(message) == invited.get_rsvp_url()
    event, _raw = event_of(message)
    assert event.uid == f"{soon.uid}@naboskap"
    assert meeting_reminders() == 0  # once
    send_outbox()
    assert len(mail.outbox) == 2


def test_no_reminder_too_early_for_cancelled_or_bounced(world):
    later = make_meeting(world.project, days=5)
    invitation(later)
    sent_long_ago(later)
    assert meeting_reminders() == 0
    assert meeting_reminders(now=timezone.now() + timedelta(days=3, hours=12)) == 1
    bounced = make_meeting(world.project, days=1)
    invitation(bounced, email="borte@example.org")
    sent_long_ago(bounced)
    bounced.invitations.update(bounced_at=timezone.now())
    assert meeting_reminders() == 0


def test_someone_invited_yesterday_is_not_reminded_at_once(world):
    meeting = make_meeting(world.project, days=1)
    invitation(meeting)
    send_invitations.call(meeting.pk)
    mail.outbox.clear()
    assert meeting_reminders() == 0
