"""Email: the development backend (every message to the console and to an outbox folder),
and sending from background tasks that tries again when the mail server is briefly away."""

import logging
import smtplib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

logger = logging.getLogger(__name__)


class ConsoleAndOutboxBackend(ConsoleBackend):
    """Prints each message, and writes it as one `.eml` file under `EMAIL_FILE_PATH`."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        outbox = Path(settings.EMAIL_FILE_PATH)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{datetime.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            (outbox / name).write_bytes(message.message().as_bytes())
        return sent


# Sending that survives a mail server's short outage ----------------------------------------

# When a failed email is tried again: minutes after the attempt that failed. After the last,
# the task fails (and shows so in the task results).
RETRY_MINUTES = (1, 5, 30, 120, 360)


def is_transient(exc: Exception) -> bool:
    """Whether a failed send may go through later: the server could not be reached, hung
    up, or answered 4xx ("try again"). A 5xx refusal is final."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in exc.recipients.values())
    return isinstance(exc, OSError)  # refused, reset, timed out, disconnected


def again(task, *args) -> Callable[[datetime, int], object]:
    """The `retry` of `send_or_retry` for a task taking `args` and an `attempt` keyword: the
    same task, queued to run at `when`. Ids only as arguments, never the email itself."""
    return lambda when, attempt: task.using(run_after=when).enqueue(*args, attempt=attempt)


def send_or_retry(
    message: EmailMessage, retry: Callable[[datetime, int], object], attempt: int = 0
) -> bool:
    """Send `message`. On a transient failure, call `retry(when, attempt + 1)`, which
    enqueues the calling task again to run at `when` (see `again`), and return False. A final
    refusal, or a failure after the last retry, raises."""
    try:
        message.send()
    except Exception as exc:
        if not is_transient(exc) or attempt >= len(RETRY_MINUTES):
            raise
        when = timezone.now() + timedelta(minutes=RETRY_MINUTES[attempt])
        logger.warning("Email not sent (%s); trying again at %s", exc, when.isoformat())
        retry(when, attempt + 1)
        return False
    return True
