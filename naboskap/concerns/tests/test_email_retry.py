"""Concern emails survive a mail server that is briefly away: a real SMTP connection to a
port where nothing listens fails, the email is queued again for later, and it goes out once
the server answers. A final refusal, or the last retry, fails the task."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.concerns import tasks as concern_tasks
from naboskap.concerns.models import Concern
from naboskap.lib.mail import RETRY_MINUTES, is_transient
from naboskap.testing.factories import make_concern

RECEIPT = "naboskap.concerns.tasks.send_receipt"
UNIT_NOTICE = "naboskap.concerns.tasks.notify_unit"


def waiting(task_path: str):
    return DBTaskResult.objects.filter(task_path=task_path, status="READY")


@pytest.mark.django_db(transaction=True)
def test_receipt_and_unit_notice_wait_for_the_mail_server(world, tasks, mail_server_down):
    concern = make_concern(world.project, reporter_email="kari@example.org")
    unit = concern.assigned_unit
    unit.email = "enhet@example.org"  # the unit's shared address gets the notice
    unit.save(update_fields=["email"])
    began = timezone.now()
    tasks()  # the server does not answer: nothing is lost, both are queued again
    assert mail.outbox == []
    for path in (RECEIPT, UNIT_NOTICE):
        retry = waiting(path).get()
        assert retry.args_kwargs == {"args": [concern.pk], "kwargs": {"attempt": 1}}
        assert retry.run_after >= began + timedelta(minutes=RETRY_MINUTES[0])
    tasks()  # not yet due: nothing runs
    assert waiting(RECEIPT).count() == 1
    # The server is back, and the time has come.
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    tasks()
    receipts = [m for m in mail.outbox if m.to == ["kari@example.org"]]
    assert len(receipts) == 1 and concern.reference in receipts[0].subject + receipts[0].body
    assert [m.to for m in mail.outbox if m not in receipts] == [["enhet@example.org"]]
    assert not waiting(RECEIPT).exists() and not waiting(UNIT_NOTICE).exists()


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_erasure_sends_nothing(world, tasks, mail_server_down):
    concern = make_concern(world.project, reporter_email="kari@example.org")
    tasks()
    Concern.objects.filter(pk=concern.pk).update(reporter_email="")
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    tasks()
    assert [m.to for m in mail.outbox if "kari@example.org" in m.to] == []


def test_the_last_attempt_fails_the_task(world, mail_server_down):
    concern = make_concern(world.project, reporter_email="kari@example.org")
    with pytest.raises(OSError):
        concern_tasks.send_receipt.call(concern.pk, attempt=len(RETRY_MINUTES))
    assert not waiting(RECEIPT).exists()


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPResponseException(550, b"no such mailbox"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"later")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"unknown")}), False),
        (ValueError("bad header"), False),
    ],
)
def test_which_failures_are_tried_again(error, transient):
    assert is_transient(error) is transient
