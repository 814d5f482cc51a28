"""Reading bounce messages: the mail server's reports that an email could not be delivered
(RFC 3464 delivery status notifications, or a plain report with X-Failed-Recipients)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True)
class Failure:
    address: str
    reason: str
    message_id: str  # of the email that bounced, when the report quotes it


def failures(raw: bytes) -> list[Failure]:
    """The addresses a bounce message reports as failed for good (5.x.x). A delay or a
    temporary failure (4.x.x) is no reason to flag an address, and is left out."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    original_id = _original_message_id(message)
    found = []
    for block in _status_blocks(message):
        action = (block.get("Action") or "").strip().lower()
        status = (block.get("Status") or "").strip()
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
        address = recipient.partition(";")[2].strip() or recipient.strip()
        if action != "failed" or not status.startswith("5") or "@" not in address:
            continue
        diagnostic = " ".join((block.get("Diagnostic-Code") or "").split())
        reason = f"{status} {diagnostic.partition(';')[2].strip() or diagnostic}".strip()
        found.append(Failure(address.strip("<>"), reason, original_id))
    if not found and message.get("X-Failed-Recipients"):
        for address in message["X-Failed-Recipients"].split(","):
            if "@" in address:
                found.append(Failure(address.strip(), "Bounced", original_id))
    return found


def _status_blocks(message: Message) -> list[Message]:
    blocks = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                blocks.extend(payload)
            else:  # left unparsed: the per-recipient blocks as text
                text = payload if isinstance(payload, str) else ""
                blocks.extend(
                    email.message_from_string(chunk) for chunk in text.split("\n\n") if chunk
                )
    return blocks


def _original_message_id(message: Message) -> str:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            quoted = payload[0] if isinstance(payload, list) and payload else None
            if quoted is not None and quoted.get("Message-ID"):
                return quoted["Message-ID"].strip()
        elif content_type == "text/rfc822-headers":
            headers = email.message_from_string(
                part.get_payload(decode=True).decode(errors="replace")
            )
            if headers.get("Message-ID"):
                return headers["Message-ID"].strip()
    return ""
