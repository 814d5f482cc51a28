"""iCalendar (RFC 5545/5546) for meetings: invitations by email and calendar feeds.

Times are written in Europe/Oslo (the project's time zone, settings.TIME_ZONE) with its
VTIMEZONE. A meeting's UID is made from its stable `uid` and never changes; its SEQUENCE goes
up with every change, so calendars replace the event instead of adding a second one.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from naboskap.meetings.models import Invitation, Meeting

PRODID = "-//Naboskap//Meetings//NB"
UID_DOMAIN = "naboskap"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{UID_DOMAIN}"


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def describe(meeting: Meeting, *, agenda: bool = True) -> str:
    """The DESCRIPTION: why it is cancelled, the description, the agenda, the online link.
    Uses the active language (the invitee's, when a task writes an invitation)."""
    parts = []
    if meeting.is_cancelled and meeting.cancel_reason:
        parts.append(f"{_('Cancelled:')} {meeting.cancel_reason}")
    if meeting.description:
        parts.append(meeting.description)
    items = list(meeting.agenda_items.order_by("position", "pk")) if agenda else []
    if items:
        lines = [f"{number}. {item.title}" for number, item in enumerate(items, start=1)]
        parts.append("\n".join([_("Agenda"), *lines]))
    if meeting.online_url:
        parts.append(meeting.online_url)
    return "\n\n".join(parts).strip()


def _event(meeting: Meeting, *, url: str = "", attendee: Invitation | None = None) -> Event:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.changed_at)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", meeting.title)
    location = meeting.place or meeting.online_url
    if location:
        event.add("location", location)
    description = describe(meeting, agenda=attendee is not None)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    if attendee is not None:
        _name, organizer_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        organizer = vCalAddress(f"mailto:{organizer_address}")
        organizer.params["cn"] = vText(meeting.project.municipality.name)
        event.add("organizer", organizer)
        guest = vCalAddress(f"mailto:{attendee.email}")
        if attendee.name:
            guest.params["cn"] = vText(attendee.name)
        guest.params["role"] = vText("REQ-PARTICIPANT")
        guest.params["rsvp"] = vText("FALSE")  # answers come through the RSVP link
        event.add("attendee", guest)
    return event


def invitation_ics(invitation: Invitation, *, url: str = "") -> bytes:
    """The attachment of an invitation email: METHOD:REQUEST, or CANCEL when it is off."""
    meeting = invitation.meeting
    cal = _calendar("CANCEL" if meeting.is_cancelled else "REQUEST")
    cal.add_component(_event(meeting, url=url, attendee=invitation))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_ics(meetings: Iterable[Meeting], *, name: str, url_for=None) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH) of `meetings`."""
    cal = _calendar("PUBLISH", name)
    for meeting in meetings:
        cal.add_component(_event(meeting, url=url_for(meeting) if url_for else ""))
    cal.add_missing_timezones()
    return cal.to_ical()
