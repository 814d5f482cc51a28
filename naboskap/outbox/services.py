"""The outbox: every email is stored per recipient, then sent by the worker.

`queue` stores a message for its recipients (once: the message's key and the address are
unique together) and asks the worker to send it after the transaction commits. `send_due`
claims a batch of emails that are due, sends them over one connection and records each
outcome: sent (its text then erased), tried again later with a growing pause when the mail
server is away or answers "try again" (4xx), failed when it refuses for good (5xx) or after
the last attempt. A batch claimed by a worker that died is claimed again after
OUTBOX_CLAIM_SECONDS. The administrator sees failed emails and can send them again.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from naboskap.outbox import bounces
from naboskap.outbox.models import Attachment, Bounce, Email
from naboskap.outbox.signals import address_bounced

logger = logging.getLogger(__name__)

DELIVER_PATH = "naboskap.outbox.tasks.deliver"

BATCH = 25
# A flagged address gets nothing until this long after its last bounce.
BOUNCE_HOLD = timedelta(days=30)


@dataclass(frozen=True)
class File:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass
class Outgoing:
    """One message for its recipients, before it is stored (see `queue`)."""

    key: str
    to: str | Iterable[str]
    subject: str
    body: str
    kind: str
    municipality: object = None
    reply_to: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    attachments: Iterable[File] = ()


def queue(**message) -> int:
    """Store the message (the fields of `Outgoing`) for each address and have the worker send
    it: see `queue_all`."""
    return queue_all([Outgoing(**message)])


def queue_all(messages: Iterable[Outgoing]) -> int:
    """Store each message for each of its addresses (each gets an email of their own, so
    nobody sees another's address) and have the worker send them after the transaction
    commits. A message already stored for an address (the same key) is not stored again.
    Returns how many emails were added."""
    now = timezone.now()
    emails, files = [], {}
    for message in messages:
        to = {message.to} if isinstance(message.to, str) else set(message.to)
        subject = " ".join(message.subject.split())[:300]  # one line, as a header must be
        for address in sorted(address for address in to if address):
            email = Email(
                key=message.key,
                to=address,
                kind=message.kind,
                municipality=message.municipality,
                subject=subject,
                body=message.body,
                reply_to=message.reply_to,
                headers=message.headers,
                message_id=make_msgid(domain=_domain()),
                next_attempt_at=now,
            )
            emails.append(email)
            files[email.message_id] = message.attachments
    if not emails:
        return 0
    held = held_addresses([email.to for email in emails], now)
    for email in emails:
        if email.to in held:
            email.status, email.last_error = Email.Status.FAILED, held[email.to]
    Email.objects.bulk_create(emails, ignore_conflicts=True, batch_size=500)
    # The rows stored now carry the Message-IDs just made; a message stored before keeps its own.
    added = Email.objects.filter(message_id__in=list(files)).only("pk", "message_id")
    count = 0
    for email in added:
        count += 1
        attachments = [_attachment(file) for file in files[email.message_id]]
        if attachments:
            email.attachments.add(*attachments)
    if count:
        _wake_worker_after_commit()
    return count


def held_addresses(addresses: list[str], now: datetime) -> dict[str, str]:
    """The addresses flagged as bounced recently, with why."""
    bounced = Bounce.objects.filter(address__in=addresses, last_at__gt=now - BOUNCE_HOLD)
    return {bounce.address: f"Bounced earlier: {bounce.reason}"[:500] for bounce in bounced}


def send_due(now: datetime | None = None, limit: int | None = None) -> int:
    """Send the emails that are due, a batch at a time; return how many were sent. Stops
    early when the mail server cannot be reached (the rest wait for their next attempt)."""
    sent = 0
    recover_stale(now)
    while limit is None or sent < limit:
        batch = _claim(now)
        if not batch:
            break
        done, server_down = _send_batch(batch)
        sent += done
        if server_down:
            break
    _wake_worker_at_next_attempt()
    return sent


def retry_pauses() -> list[timedelta]:
    """How long an email waits after each failed attempt; after the last, it has failed."""
    return [timedelta(seconds=seconds) for seconds in settings.OUTBOX_RETRY_SECONDS]


def _wake_worker_at_next_attempt() -> None:
    """Have a worker send again when the next waiting email is due, unless one is already
    queued for then (the job `send_outbox` also looks every minute, as a safety net)."""
    from naboskap.outbox.tasks import deliver

    due = Email.objects.filter(status=Email.Status.QUEUED).order_by("next_attempt_at").first()
    if due is None:
        return
    waiting = DBTaskResult.objects.filter(
        task_path=DELIVER_PATH, status=TaskResultStatus.READY
    ).filter(Q(run_after__isnull=True) | Q(run_after__lte=due.next_attempt_at))
    if not waiting.exists():
        deliver.using(run_after=max(due.next_attempt_at, timezone.now())).enqueue()


def recover_stale(now: datetime | None = None) -> int:
    """Emails claimed by a worker that stopped before it recorded them: due again. (One that
    the server had accepted just before the worker died is sent a second time, with the same
    Message-ID, which mail programs recognise; the window is one email wide.)"""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    return Email.objects.filter(status=Email.Status.SENDING, claimed_at__lt=limit).update(
        status=Email.Status.QUEUED, claimed_at=None
    )


def _claim(now: datetime | None) -> list[Email]:
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(status=Email.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        ids = list(due)
        if not ids:
            return []
        # The status moves on only where it still says queued: on SQLite, which has no row
        # locks to skip, a second worker finds these rows already taken.
        Email.objects.filter(pk__in=ids, status=Email.Status.QUEUED).update(
            status=Email.Status.SENDING, claimed_at=timezone.now()
        )
    claimed = Email.objects.filter(pk__in=ids, status=Email.Status.SENDING)
    return list(claimed.prefetch_related("attachments").order_by("pk"))


def _send_batch(batch: list[Email]) -> tuple[int, bool]:
    connection = get_connection()
    sent = 0
    try:
        connection.open()
    except Exception as exc:
        _server_away(batch, exc)
        return 0, True
    try:
        for position, email in enumerate(batch):
            try:
                connection.send_messages([_message(email, connection)])
            except Exception as exc:
                if _is_server_away(exc):
                    _server_away(batch[position:], exc)
                    return sent, True
                _failed_attempt(email, exc)
            else:
                _sent(email)
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("The mail server connection did not close cleanly")
    return sent, False


def _message(email: Email, connection) -> EmailMessage:
    headers = {**email.headers, "Message-ID": email.message_id}
    message = EmailMessage(
        email.subject,
        email.body,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
        connection=connection,
    )
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return message


def _sent(email: Email) -> None:
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENT, sent_at=timezone.now(), body="", last_error="", claimed_at=None
    )
    email.attachments.clear()


def _is_server_away(exc: Exception) -> bool:
    """The server could not be reached or hung up: every email in the batch would fail. (An
    SMTP answer is an OSError too, but about one email.)"""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError)  # away, reset, timed out


def _server_away(emails: list[Email], exc: Exception) -> None:
    logger.warning("Mail server away (%s): %d emails wait for their next attempt", exc, len(emails))
    for email in emails:
        _failed_attempt(email, exc)


def _failed_attempt(email: Email, exc: Exception) -> None:
    reason = _reason(exc)
    attempts = email.attempts + 1
    pauses = retry_pauses()
    if _is_temporary(exc) and attempts <= len(pauses):
        Email.objects.filter(pk=email.pk).update(
            status=Email.Status.QUEUED,
            attempts=attempts,
            claimed_at=None,
            last_error=reason,
            next_attempt_at=timezone.now() + pauses[attempts - 1],
        )
        return
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.FAILED, attempts=attempts, claimed_at=None, last_error=reason
    )
    logger.warning("Email %s (%s) failed for good: %s", email.pk, email.kind, reason)
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and not _is_temporary(exc):
        flag_bounced(email.to, reason)


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        ]
        return ("Refused: " + "; ".join(parts))[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{exc.smtp_code} {text}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def flag_bounced(address: str, reason: str) -> None:
    """Record that `address` bounced: nothing more is sent to it for a while, and the apps
    that keep the address are told (`address_bounced`)."""
    now = timezone.now()
    updated = Bounce.objects.filter(address__iexact=address).update(
        reason=reason[:500], last_at=now, count=F("count") + 1
    )
    if not updated:
        Bounce.objects.get_or_create(
            address=address.lower(), defaults={"reason": reason[:500], "last_at": now}
        )
    address_bounced.send(sender=Email, address=address, reason=reason)


def bounce_read(raw: bytes) -> list[str]:
    """Flag every address a bounce message reports as failed for good, and mark the email it
    quotes (by Message-ID) as failed with the reason. Returns the addresses."""
    flagged = []
    for failure in bounces.failures(raw):
        if failure.message_id:
            Email.objects.filter(message_id=failure.message_id).exclude(
                status=Email.Status.DROPPED
            ).update(status=Email.Status.FAILED, last_error=f"Bounced: {failure.reason}"[:500])
        flag_bounced(failure.address, failure.reason)
        flagged.append(failure.address)
    return flagged


def bounce_clear(address: str) -> None:
    """The address works again (someone corrected or confirmed it): send to it again."""
    Bounce.objects.filter(address__iexact=address).delete()


def retry(emails: QuerySet[Email]) -> int:
    """Send failed emails again now (the administrator's button); a bounce flag on their
    address is lifted, as someone has decided to try it."""
    failed = emails.filter(status=Email.Status.FAILED)
    Bounce.objects.filter(address__in=failed.values("to")).delete()
    count = failed.update(
        status=Email.Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if count:
        _wake_worker_after_commit()
    return count


def drop(emails: QuerySet[Email]) -> int:
    """Never send these (still waiting or failed): they stay listed as not sent."""
    return emails.filter(status__in=[Email.Status.QUEUED, Email.Status.FAILED]).update(
        status=Email.Status.DROPPED, body="", claimed_at=None
    )


def prune(now: datetime | None = None) -> int:
    """Delete sent and dropped emails after OUTBOX_KEEP_DAYS, failed ones after three times
    that, and the attachments no email uses any more."""
    now = now or timezone.now()
    keep = timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = Email.objects.filter(
        Q(status__in=[Email.Status.SENT, Email.Status.DROPPED], created_at__lt=now - keep)
        | Q(status=Email.Status.FAILED, created_at__lt=now - 3 * keep)
    )
    deleted, _by_model = old.delete()
    Attachment.objects.filter(emails__isnull=True, created_at__lt=now - timedelta(hours=1)).delete()
    return deleted


def counts_by_status(municipality) -> dict[str, int]:
    rows = (
        Email.objects.filter(municipality=municipality)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def _attachment(file: File) -> Attachment:
    digest = hashlib.sha256(file.content).hexdigest()
    attachment, _created = Attachment.objects.get_or_create(
        sha256=digest,
        defaults={"filename": file.filename, "mimetype": file.mimetype, "content": file.content},
    )
    return attachment


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >")
    return address or "naboskap.localhost"


def _wake_worker() -> None:
    from naboskap.outbox.tasks import deliver

    deliver.enqueue()


def _wake_worker_after_commit() -> None:
    """Queue one sending task when the transaction commits, however many messages it stored
    (a news run stores thousands)."""
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _wake_worker for _savepoints, callback, _robust in pending):
        transaction.on_commit(_wake_worker)
