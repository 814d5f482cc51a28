"""Reading what invitees get: emails, their calendar files (parsed with `ical`, an
iCalendar parser independent of the `icalendar` package that writes them) and PDFs."""

from __future__ import annotations

import io
import re
import zoneinfo

from django.core import mail
from django.utils import translation
from ical.calendar_stream import IcsCalendarStream
from pypdf import PdfReader

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def parse(ics: bytes | str):
    text = ics.decode() if isinstance(ics, bytes) else ics
    return IcsCalendarStream.calendar_from_ics(text)


def attachment(message) -> tuple[str, str, str]:
    """(filename, text, content type) of the email's one calendar attachment."""
    ((name, content, content_type),) = message.attachments
    return name, content.decode() if isinstance(content, bytes) else content, content_type


def event_of(message):
    _name, text, _type = attachment(message)
    (event,) = parse(text).events
    return event, text


def outbox_to(email: str) -> list:
    return [m for m in mail.outbox if m.to == [email]]


def rsvp_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/svar/[A-Za-z0-9_-]+/)", message.body).group(1)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def in_language(text: str, language: str = "nb") -> str:
    """`text` as an invitee in `language` reads it (the source text while untranslated)."""
    with translation.override(language):
        return translation.gettext(text)


def subject_starts(message, prefix: str, title: str) -> bool:
    """Emails go out in the municipality's language (bokmål in the tests)."""
    return message.subject.startswith(f"{in_language(prefix)} {title}")
