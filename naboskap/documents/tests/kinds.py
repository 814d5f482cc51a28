"""One case per kind of stored document, for the tests that every kind must pass: what to
make, the address that downloads it, a text its PDF shows, and a change to what it shows
(through the app's own service) with the text the PDF shows after it."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from pypdf import PdfReader

from naboskap.documents import registry


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    # world -> (the object the document shows, the download address)
    make: Callable
    shows: str
    # the object -> the text the PDF shows after the change (None: the kind never changes)
    change: Callable | None
    filename: str
    # The persona who downloads it.
    reader: str = "coordinator"
    # Made before anyone asks (a service reports each change); else when first asked for.
    ahead: bool = True
    # What the outsider (a coordinator in the other municipality) gets: 404 for another
    # municipality's object. An address without an object in it (a municipality's own
    # document) gives them their own municipality's document instead (`outsider_reads_own`),
    # or 403 where their role may not read it.
    outsider: int = 404
    outsider_reads_own: bool = False


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def no_rendering(monkeypatch) -> None:
    """Every kind's renderer fails the test: nothing may be rendered from here on."""

    def refuse(job):
        raise AssertionError(f"rendered {job.obj!r} in a request")

    for kind in registry.kinds():
        monkeypatch.setitem(registry._kinds, kind.name, dataclasses.replace(kind, render=refuse))


def _coordinator(world):
    return world.users["coordinator"]


def make_ros(world):
    from naboskap.risk.tests.factories import make_analysis

    analysis = make_analysis(world.project, by=_coordinator(world), title="ROS Lindeveien")
    return analysis, reverse("risk:report_pdf", args=[world.project.pk, analysis.pk])


def change_ros(analysis):
    from naboskap.risk import services

    services.event_create(analysis=analysis, title="Tyveri fra sykkelboden")
    return "Tyveri fra sykkelboden"


def make_plan(world):
    from naboskap.testing.factories import make_measure

    make_measure(world.project, title="Fast kontaktperson for naboene")
    return world.project, reverse("plans:plan_pdf", args=[world.project.pk])


def change_plan(project):
    from naboskap.plans import services

    measure = project.measures.get()
    services.measure_update(measure=measure, changed_by=None, title="Nattevakt i helgene")
    return "Nattevakt i helgene"


def make_minutes(world):
    from naboskap.meetings.minutes import services
    from naboskap.meetings.tests.factories import make_body, make_meeting

    meeting = make_meeting(world.project, body=make_body(world.project), days=-1)
    services.agenda_item_add(meeting=meeting, title="Husordensreglene")
    services.minutes_start(meeting=meeting, created_by=None)
    url = reverse("meetings:minutes_pdf", args=[world.project.pk, meeting.pk])
    return meeting, url


def change_minutes(meeting):
    from naboskap.meetings.minutes import services

    item = meeting.agenda_items.get()
    services.item_notes_save(item=item, notes="Ny belysning i bakgården")
    return "Ny belysning i bakgården"


def make_letters(world):
    from naboskap.meetings import services
    from naboskap.meetings.tests.factories import make_meeting

    meeting = make_meeting(world.project, title="Informasjonsmøte", place="Fjordby skole")
    services.invitations_send(
        meeting=meeting, people=[{"name": "Rune Beboer", "postal_address": "Lindeveien 5"}]
    )
    return meeting, reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])


def change_letters(meeting):
    from naboskap.meetings import services

    services.meeting_update(meeting=meeting, place="Biblioteket")
    services.invitations_dispatch(meeting=meeting)
    return "Biblioteket"


def make_place(world):
    from naboskap.stakeholders.places import services

    analysis = services.place_analysis_edit(
        project=world.project, by=_coordinator(world), conclusions="Trafikk er hovedtemaet."
    )
    return analysis, reverse("stakeholders:place_pdf", args=[world.project.pk, analysis.version])


def change_place(analysis):
    from naboskap.stakeholders.places import services

    services.place_analysis_edit(
        project=analysis.project, by=None, conclusions="Skoleveien må sikres."
    )
    return "Skoleveien må sikres."


def make_status_report(world):
    from django.utils import timezone

    from naboskap.reports import services

    today = timezone.localdate()
    report = services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=today.replace(day=1),
        period_end=today,
        language="en",
    )
    return report, reverse("reports:pdf", args=[report.pk])


def make_records(world):
    from naboskap.concerns import services

    services.categories_ensure_defaults(municipality=world.municipality)
    return world.municipality, reverse("privacy:records_pdf")


def make_dpia(world):
    return world.municipality, reverse("privacy:dpia_pdf")


def change_retention(municipality):
    from naboskap.concerns import services

    services.policy_save(
        municipality=municipality, erase_contact_after_days=173, delete_after_years=9
    )
    return "173"


def make_assessment(world):
    import datetime

    from naboskap.situation import services

    assessment = services.assessment_create(
        project=world.project,
        period_start=datetime.date(2026, 3, 2),
        period_end=datetime.date(2026, 3, 22),
        text="Uro ved inngangen på kveldstid.",
        by=_coordinator(world),
    )
    url = reverse("situation:assessment_pdf", args=[world.project.pk, assessment.pk])
    return assessment.versions.get(), url


def change_assessment(version):
    from django.contrib.auth import get_user_model

    from naboskap.situation import services
    from naboskap.situation.models import Party

    police = get_user_model().objects.get(username="police")
    police.first_name, police.last_name = "Politi", "Kontaktsen"
    police.save()
    services.assessment_sign(
        assessment=version.assessment, version=version.number, party=Party.POLICE, by=police
    )
    return "Politi Kontaktsen"


CASES = [
    Case(
        "ros_report",
        "risk.report",
        make_ros,
        "ROS Lindeveien",
        change_ros,
        "ros-rapport-lindeveien-revisjon-1.pdf",
    ),
    Case(
        "plan",
        "plans.plan",
        make_plan,
        "Fast kontaktperson for naboene",
        change_plan,
        "tiltaksplan-lindeveien.pdf",
    ),
    Case("minutes", "meetings.minutes", make_minutes, "Husordensreglene", change_minutes, ""),
    Case("letters", "meetings.letters", make_letters, "Rune Beboer", change_letters, ""),
    Case(
        "place_analysis",
        "stakeholders.place",
        make_place,
        "Trafikk er hovedtemaet.",
        change_place,
        "stedsanalyse-lindeveien-v1.pdf",
    ),
    # A status report never changes (ADR 0022): what it shows is frozen.
    Case("status_report", "reports.status_report", make_status_report, "Status report", None, ""),
    # Made from the configuration, which other apps change: made when first asked for.
    Case(
        "records",
        "privacy.records",
        make_records,
        "Fjordby kommune",
        change_retention,
        "",
        ahead=False,
        outsider_reads_own=True,
    ),
    Case(
        "dpia",
        "privacy.dpia",
        make_dpia,
        "Fjordby kommune",
        change_retention,
        "",
        reader="admin",
        ahead=False,
        outsider=403,
    ),
    Case(
        "situation_assessment",
        "situation.assessment",
        make_assessment,
        "Uro ved inngangen på kveldstid.",
        change_assessment,
        "situasjonsbilde-lindeveien-2026-03-02-v1.pdf",
    ),
]

cases = pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
