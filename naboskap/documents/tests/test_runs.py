"""Runs: survey code sheets and neighbour letter runs, made once by the worker for the one
who asked, in parts that several workers render side by side, with the progress shown, and
deleted after a day."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english, run_tasks
from naboskap.documents.models import Document
from naboskap.documents.services import RUN_KEPT, documents_prune
from naboskap.documents.tests.kinds import no_rendering, pdf_text
from naboskap.testing.documents import read


def codes_url(world, survey_round) -> str:
    return reverse("insights:round_codes", args=[world.project.pk, survey_round.pk])


@pytest.mark.django_db
def test_two_thousand_codes_are_four_parts_for_the_workers(world, survey_round, monkeypatch):
    no_rendering(monkeypatch)
    coordinator = english(world.users["coordinator"])
    started = coordinator.post(codes_url(world, survey_round), {"count": "2000"})
    assert started.status_code == 302
    parts = Document.objects.filter(kind="insights.codes").order_by("part")
    assert [(p.part, p.parts, p.params["count"], p.params["first"]) for p in parts] == [
        (1, 4, 500, 1),
        (2, 4, 500, 501),
        (3, 4, 500, 1001),
        (4, 4, 500, 1501),
    ]
    assert {p.requested_by_id for p in parts} == {world.users["coordinator"].pk}
    assert all(p.expires_at and p.queued_at for p in parts)
    assert not survey_round.codes.exists()  # the worker makes the codes
    Document.objects.filter(pk=parts[0].pk).update(progress_done=300, progress_total=1500)
    page = coordinator.get(started["Location"]).content.decode()
    assert "0 of 4 parts ready." in page and "5 % done" in page
    assert "No. 1,501–2,000: being prepared" in page
    assert 'hx-trigger="every 3s"' in page
    # The run is its maker's alone.
    admin = english(world.users["admin"])
    assert admin.get(started["Location"]).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_codes_and_the_page_starts_the_download(world, survey_round):
    coordinator = english(world.users["coordinator"])
    started = coordinator.post(codes_url(world, survey_round), {"count": "3"})
    run_page = started["Location"]
    assert "being prepared" in coordinator.get(run_page).content.decode()
    run_tasks()
    part = Document.objects.get(kind="insights.codes")
    assert part.status == Document.Status.READY and part.cpu_seconds > 0
    # htmx, looking again, loads the ready page, which starts the download of the one part.
    assert coordinator.get(run_page + "?vent=1", HTTP_HX_REQUEST="true")["HX-Redirect"]
    ready = coordinator.get(run_page + "?vent=1").content.decode()
    assert f'<meta http-equiv="refresh" content="0; url={run_page}?del=1">' in ready
    sheet = read(coordinator.get(run_page + "?del=1"))
    assert sheet["Content-Type"] == "application/pdf"
    assert "del-1.pdf" in sheet["Content-Disposition"]
    codes = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", pdf_text(sheet.content))
    assert len(codes) == 3 and survey_round.codes.count() == 3
    assert coordinator.get(run_page + "?del=2").status_code == 404

    # A day later the sheet, the only copy of the codes, is gone.
    Document.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert datetime.timedelta(days=1) == RUN_KEPT
    assert documents_prune() == 1
    assert coordinator.get(run_page).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_letter_run_is_made_by_the_worker(world):
    from naboskap.meetings.tests.factories import make_meeting
    from naboskap.stakeholders import services as stakeholder_services
    from naboskap.stakeholders.places import services as place_services
    from naboskap.stakeholders.tests.factories import make_address

    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    for number in (5, 7):
        make_address(world.municipality, 69.6501, 18.95, street="Lindeveien", number=number)
    stakeholder_services.neighbour_list_compute(project=project, radius_m=200)
    meeting = make_meeting(project, title="Informasjonsmøte", place="Fjordby skole")
    template = place_services.letter_template_create(
        municipality=world.municipality,
        project=project,
        name="Nabobrev",
        heading="Invitasjon: {title}",
        body="Vi inviterer til møte på {place}.",
    )
    coordinator = english(world.users["coordinator"])
    started = coordinator.post(
        reverse("stakeholders:letters", args=[project.pk]),
        {"meeting": meeting.pk, "template": template.pk},
    )
    assert started.status_code == 302
    assert "being prepared" in coordinator.get(started["Location"]).content.decode()
    run_tasks()
    page = coordinator.get(started["Location"]).content.decode()
    assert "1 of 1 part ready." in page and "No. 1–2 (PDF)" in page
    letters = pdf_text(read(coordinator.get(started["Location"] + "?del=1")).content)
    assert "Lindeveien 5" in letters and "Lindeveien 7" in letters
    assert "Vi inviterer til møte på Fjordby skole." in letters
