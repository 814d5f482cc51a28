"""Every email goes through the outbox: stored per recipient before it is sent, sent by the
worker to a real SMTP server, tried again with a growing pause while the server is away or
answers 4xx, failed after a 5xx (and the address flagged), never sent twice; the
administrator sees what failed and sends it again."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.conftest import client_for, run_tasks
from naboskap.meetings.models import Invitation
from naboskap.outbox import services
from naboskap.outbox.models import Bounce, Email
from naboskap.outbox.views import masked

DELIVER = "naboskap.outbox.tasks.deliver"


def queue_news(world, addresses, key="news:1", **more):
    return services.queue(
        key=key,
        to=addresses,
        subject="Nytt fra prosjektet",
        body="Hei!\\nLes mer på nettsiden.",
        kind="news",
        municipality=world.municipality,
        **more,
    )


@pytest.mark.django_db(transaction=True)
def test_a_message_is_stored_once_per_recipient_and_sent_once(world, smtp_server):
    with transaction.atomic():
        assert queue_news(world, ["a@example.org", "b@example.org", ""]) == 2
        # The same message again (a re-run, a second worker): nothing more.
        assert queue_news(world, ["a@example.org"]) == 0
        assert queue_news(world, ["c@example.org"], key="news:2") == 1
    # One sending task for the whole transaction, however many messages it stored.
    assert DBTaskResult.objects.filter(task_path=DELIVER).count() == 1
    run_tasks()
    received = smtp_server.sink.received
    assert sorted(m["X-Envelope-To"] for m in received) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    # Each its own email: nobody sees another's address.
    assert [m["To"] for m in smtp_server.sink.to("a@example.org")] == ["a@example.org"]
    sent = Email.objects.get(to="a@example.org")
    assert sent.status == Email.Status.SENT and sent.sent_at is not None
    assert smtp_server.sink.to("a@example.org")[0]["Message-ID"] == sent.message_id
    # The text is erased once it is sent (it may hold a one-time link).
    assert sent.body == "" and sent.subject == "Nytt fra prosjektet"
    run_tasks()
    assert services.send_due() == 0
    assert len(received) == 3


@pytest.mark.django_db(transaction=True)
def test_while_the_server_is_away_emails_wait_with_a_growing_pause(world, smtp_server, settings):
    smtp_server.stop()
    queue_news(world, ["a@example.org", "b@example.org"])
    began = timezone.now()
    run_tasks()
    waiting = Email.objects.get(to="a@example.org")
    assert (waiting.status, waiting.attempts) == (Email.Status.QUEUED, 1)
    assert waiting.next_attempt_at >= began + timedelta(seconds=60)
    assert "ConnectionRefusedError" in waiting.last_error
    # Not due yet: nothing is tried.
    assert services.send_due() == 0
    # Away again at the next attempt: a longer pause.
    Email.objects.update(next_attempt_at=timezone.now())
    assert services.send_due() == 0
    waiting.refresh_from_db()
    assert waiting.attempts == 2
    assert waiting.next_attempt_at >= timezone.now() + timedelta(
        seconds=settings.OUTBOX_RETRY_SECONDS[1] - 60
    )
    # A worker is asked to look again no later than the next attempt, by one task (which,
    # finding nothing due yet, asks again for the attempt after).
    wake = DBTaskResult.objects.filter(task_path=DELIVER, status="READY")
    assert wake.count() == 1 and wake.get().run_after <= waiting.next_attempt_at
    # The server is back, and the time has come: each gets it once.
    smtp_server.start()
    Email.objects.update(next_attempt_at=timezone.now())
    assert services.send_due() == 2
    assert len(smtp_server.sink.to("a@example.org")) == 1
    assert len(smtp_server.sink.to("b@example.org")) == 1


@pytest.mark.django_db(transaction=True)
def test_try_again_later_is_retried_and_a_final_refusal_fails_and_flags(
    world, smtp_server, settings
):
    smtp_server.sink.defer.add("busy@example.org")
    smtp_server.sink.refuse.add("gone@example.org")
    queue_news(world, ["busy@example.org", "gone@example.org", "ok@example.org"])
    run_tasks()
    busy = Email.objects.get(to="busy@example.org")
    assert (busy.status, busy.attempts) == (Email.Status.QUEUED, 1)
    assert "451" in busy.last_error
    gone = Email.objects.get(to="gone@example.org")
    assert gone.status == Email.Status.FAILED and "550" in gone.last_error
    assert Bounce.objects.filter(address="gone@example.org").exists()
    # The one in between was not held up.
    assert len(smtp_server.sink.to("ok@example.org")) == 1
    # After the last attempt, a deferral fails too.
    Email.objects.filter(pk=busy.pk).update(
        attempts=len(settings.OUTBOX_RETRY_SECONDS), next_attempt_at=timezone.now()
    )
    services.send_due()
    busy.refresh_from_db()
    assert busy.status == Email.Status.FAILED
    # A flagged address gets nothing new: stored as failed, with why.
    queue_news(world, ["gone@example.org"], key="news:2")
    held = Email.objects.get(key="news:2")
    assert held.status == Email.Status.FAILED and held.last_error.startswith("Bounced earlier")


@pytest.mark.django_db(transaction=True)
def test_a_refused_invitation_is_marked_bounced_for_staff(world, smtp_server):
    from naboskap.meetings.tests.test_meetings import invitation, make_meeting

    meeting = make_meeting(world.project)
    invited = invitation(meeting, email="gone@example.org", name="Borte")
    smtp_server.sink.refuse.add("gone@example.org")
    services.queue(
        key="x", to="gone@example.org", subject="Invitasjon", body="…", kind="meeting_invitation"
    )
    run_tasks()
    invited.refresh_from_db()
    assert invited.is_bounced and "550" in invited.bounce_note


@pytest.mark.django_db(transaction=True)
def test_a_batch_claimed_by_a_worker_that_died_is_sent_by_the_next(world, smtp_server, settings):
    queue_news(world, ["a@example.org", "b@example.org"])
    DBTaskResult.objects.all().delete()
    # A worker claimed both, then was killed before it sent anything.
    Email.objects.update(status=Email.Status.SENDING, claimed_at=timezone.now())
    assert services.send_due() == 0  # still someone else's
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)
    assert services.recover_stale(later) == 2
    assert services.send_due() == 2
    assert sorted(m["X-Envelope-To"] for m in smtp_server.sink.received) == [
        "a@example.org",
        "b@example.org",
    ]


@pytest.mark.django_db(transaction=True)
def test_an_attachment_is_stored_once_and_sent_to_each(world, smtp_server):
    pdf = b"%PDF-1.7 minutes"
    services.queue(
        key="minutes",
        to=["a@example.org", "b@example.org"],
        subject="Referat",
        body="Se vedlegg.",
        kind="minutes_comments",
        municipality=world.municipality,
        reply_to="sekretaer@example.org",
        attachments=[services.File("referat.pdf", pdf)],
    )
    assert services.Attachment.objects.count() == 1
    run_tasks()
    for address in ("a@example.org", "b@example.org"):
        (message,) = smtp_server.sink.to(address)
        assert message["Reply-To"] == "sekretaer@example.org"
        parts = [p for p in message.walk() if p.get_filename() == "referat.pdf"]
        assert parts[0].get_payload(decode=True) == pdf
    # Sent: the attachment is let go of, and pruned later.
    assert not services.Attachment.objects.filter(emails__isnull=False).exists()


def bounce_report(address: str, status: str, message_id: str) -> bytes:
    """A delivery status notification (RFC 3464) as a mail server sends it back."""
    action = "failed" if status.startswith("5") else "delayed"
    lines = [
        "From: MAILER-DAEMON@example.org",
        "To: naboskap@kommune.example",
        "Subject: Undelivered Mail Returned to Sender",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        "",
        "--B",
        "Content-Type: text/plain",
        "",
        "Your message could not be delivered.",
        "--B",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.org",
        "",
        f"Final-Recipient: rfc822; {address}",
        f"Action: {action}",
        f"Status: {status}",
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
        "",
        "--B",
        "Content-Type: text/rfc822-headers",
        "",
        f"Message-ID: {message_id}",
        "Subject: Nytt",
        "",
        "--B--",
        "",
    ]
    return "\r\n".join(lines).encode()


@pytest.mark.django_db
def test_a_bounce_message_flags_the_address_and_fails_its_email(world, tmp_path):
    queue_news(world, ["gone@example.org"])
    email = Email.objects.get()
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENT)
    maildir = tmp_path / "bounces"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    report = bounce_report("gone@example.org", "5.1.1", email.message_id)
    (maildir / "new" / "1.bounce").write_bytes(report)
    delayed = bounce_report("later@example.org", "4.4.1", "<x@y>")
    (maildir / "new" / "2.delay").write_bytes(delayed)
    call_command("read_bounces", maildir=str(maildir), stdout=StringIO())
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.last_error.startswith("Bounced: 5.1.1")
    assert list(Bounce.objects.values_list("address", flat=True)) == ["gone@example.org"]
    # Read once: both moved out of new/.
    assert list(Path(maildir / "new").iterdir()) == []
    assert len(list(Path(maildir / "cur").iterdir())) == 2


@pytest.mark.django_db
def test_the_administrator_sees_failed_emails_and_sends_them_again(
    world, django_capture_on_commit_callbacks
):
    queue_news(world, ["gone@example.org"])
    Email.objects.update(
        status=Email.Status.FAILED, last_error="550 5.1.1 <gone@example.org>: No such user"
    )
    Bounce.objects.create(address="gone@example.org", reason="550", last_at=timezone.now())
    services.queue(
        key="other",
        to="x@example.org",
        subject="Annen kommune",
        body="…",
        kind="news",
        municipality=world.other_municipality,
    )
    Email.objects.filter(key="other").update(status=Email.Status.FAILED, last_error="secret")
    admin = client_for(world.users["admin"])
    page = admin.get("/app/administrasjon/e-post/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nyheter til abonnenter" in text and "550 5.1.1 &lt;g•••@example.org&gt;: No" in text
    assert "g•••@example.org" in text and "gone@example.org" not in text
    assert "secret" not in text  # another municipality's
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/app/administrasjon/e-post/send-igjen/", follow=True)
    assert "1 e-post blir sendt på nytt." in response.content.decode()
    retried = Email.objects.get(to="gone@example.org")
    assert (retried.status, retried.attempts) == (Email.Status.QUEUED, 0)
    assert not Bounce.objects.exists()  # someone decided to try it again
    assert Email.objects.get(key="other").status == Email.Status.FAILED


def test_an_address_is_shown_masked():
    assert masked("kari.nordmann@example.org") == "k•••@example.org"


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_email_goes_through_the_outbox(world, smtp_server):
    """A concern's receipt, as one example of the converted senders: stored, then sent."""
    from naboskap.testing.factories import make_concern

    concern = make_concern(world.project, reporter_email="kari@example.org")
    run_tasks()
    receipt = Email.objects.get(to="kari@example.org")
    assert receipt.kind == "receipt" and receipt.status == Email.Status.SENT
    (message,) = smtp_server.sink.to("kari@example.org")
    assert concern.reference in message["Subject"] + message.get_payload()
    assert mail.outbox == []  # the real server got it, not the test backend
    assert Invitation.objects.count() == 0
