"""Hand-made data for the situation picture tests: three weeks of March 2026 in Fjordby."""

import datetime
from zoneinfo import ZoneInfo

from naboskap.concerns import services as concerns
from naboskap.facility.models import Incident, Observation
from naboskap.testing.factories import make_concern

OSLO = ZoneInfo("Europe/Oslo")
START = datetime.date(2026, 3, 2)  # Monday of ISO week 10
END = datetime.date(2026, 3, 22)  # Sunday of ISO week 12

SECRET_TEXT = "Naboen Kari Hemmelig ropte mot inngangen"


def at(day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=OSLO)


def police_concern(project, code: str, when, **fields):
    fields.setdefault("description", SECRET_TEXT)
    fields.setdefault("reporter_name", "Ola Anmelder")
    fields.setdefault("reporter_email", "ola.anmelder@example.org")
    fields.setdefault("reporter_phone", "+4791234567")
    concern = make_concern(project, code, occurred_at=when, **fields)
    concerns.concern_mark_police_relevant(concern=concern, relevant=True)
    return concern


def observation(project, code: str, when, **fields):
    fields.setdefault("text", "Hemmelig observasjonstekst om en beboer")
    fields.setdefault("place", "Bak garasjen i Lindeveien 3")
    return Observation.objects.create(project=project, category=code, occurred_at=when, **fields)


def incident(project, code: str, when, **fields):
    fields.setdefault("description", "Hemmelig hendelsesbeskrivelse")
    return Incident.objects.create(project=project, category=code, occurred_at=when, **fields)


def fill(project):
    """Week 10: 2 noise (concern + observation), 1 threats (incident).
    Week 11: 1 noise (concern, Monday 00:30 Oslo time = Sunday in UTC), 1 litter (observation).
    Week 12: nothing. Outside and not counted: all calm, not police-relevant, not affecting
    neighbours, a merged duplicate, and everything outside the period."""
    police_concern(project, "noise", at(3, 22))
    observation(project, "noise", at(8, 23, 30))
    incident(project, "threats", at(5, 2))
    police_concern(project, "noise", at(9, 0, 30))
    observation(project, "litter", at(12))
    # Not counted:
    observation(project, "", at(4), all_calm=True)
    make_concern(project, "threats", occurred_at=at(4))  # not marked for the police
    incident(project, "damage", at(6), affects_neighbours=False)
    duplicate = police_concern(project, "noise", at(3, 22, 5))
    original = police_concern(project, "noise", at(23))  # after the period
    concerns.concern_merge(duplicate=duplicate, into=original, by=None)
    observation(project, "noise", at(1, 23, 59))  # the Sunday before
    incident(project, "threats", at(23, 0, 1))  # the Monday after
