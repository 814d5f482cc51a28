"""Email: the development backend (every message to the console and to an outbox folder).
Every email is sent through the outbox (naboskap.outbox), which tries again when the mail
server is briefly away."""

import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend


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
