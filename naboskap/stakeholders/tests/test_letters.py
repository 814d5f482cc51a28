"""Invitation letters to a project's neighbour list: templates with placeholders, one PDF with
a letter per address, and the run logged as an outgoing letter interaction."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from naboskap.conftest import english
from naboskap.meetings.models import Meeting
from naboskap.stakeholders import services
from naboskap.stakeholders.models import Interaction, LetterTemplate
from naboskap.stakeholders.places import services as place_services
from naboskap.stakeholders.tests.factories import make_address, make_addresses_around
from naboskap.testing.documents import fetch_run


def url(name, *args):
    return reverse(f"stakeholders:{name}", args=args)


@pytest.fixture
def listed(world):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    make_address(world.municipality, 69.6501, 18.95, street="Lindeveien", number=3, letter="B")
    make_addresses_around(world.municipality, 69.65, 18.95, 2)
    services.neighbour_list_compute(project=project, radius_m=200)
    return project


@pytest.fixture
def meeting(world):
    starts = timezone.now() + datetime.timedelta(days=10)
    return Meeting.objects.create(
        project=world.project,
        kind=Meeting.Kind.INFORMATION,
        title="Informasjonsmøte om Lindeveien",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Fjordby skole, aulaen",
        description="Vi forteller om planene.",
    )


@pytest.fixture
def template(world):
    return place_services.letter_template_create(
        municipality=world.municipality,
        project=world.project,
        name="Nabobrev",
        heading="Invitasjon: {title}",
        body="Vi inviterer til møte om {project}.\n\nTid: {time}\nSted: {place}\n\n"
        "Spørsmål? Kontakt {contact}.",
    )


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def test_the_letters_are_one_pdf_with_a_letter_per_address_and_are_logged(
    world, listed, meeting, template, coordinator
):
    started = coordinator.post(
        url("letters", listed.pk), {"meeting": meeting.pk, "template": template.pk}
    )
    response = fetch_run(coordinator, started)  # the worker renders the run
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    first = reader.pages[0].extract_text()
    assert "To the residents\nLindeveien 3B\n9999 FJORDBY" in first
    assert "Invitasjon: Informasjonsmøte om Lindeveien" in first
    assert "Sted: Fjordby skole, aulaen" in first
    interaction = Interaction.objects.get()
    assert interaction.channel == "letter" and interaction.direction == "out"
    assert "3 invitation letters" in interaction.summary
    assert interaction.created_by == world.users["coordinator"]


def test_unknown_placeholders_are_named_and_the_text_is_kept(listed, coordinator):
    response = coordinator.post(
        url("letter_template_create", listed.pk),
        {"name": "Brev", "heading": "Møte {tittel}", "body": "Kom {when}! {title"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown placeholder: {tittel}" in body
    assert "curly bracket is not closed" in body
    assert "Kom {when}! {title" in body
    assert not LetterTemplate.objects.exists()


@pytest.mark.parametrize("text", ["{title:>99999999}", "{title!r}", "{title.__class__}", "{}"])
def test_placeholders_are_plain_names_only(listed, coordinator, text):
    response = coordinator.post(
        url("letter_template_create", listed.pk),
        {"name": "Brev", "heading": "Møte", "body": text},
    )
    assert response.status_code == 400
    assert "Unknown placeholder" in response.content.decode()
    assert not LetterTemplate.objects.exists()


def test_a_coordinator_makes_and_edits_a_template(world, listed, coordinator):
    response = coordinator.post(
        url("letter_template_create", listed.pk),
        {"name": "Brev", "heading": "Møte: {title}", "body": "Tid: {time}", "for_municipality": ""},
    )
    assert response.status_code == 302
    template = LetterTemplate.objects.get()
    assert template.project == listed
    response = coordinator.post(
        url("letter_template_edit", listed.pk, template.pk),
        {"name": "Brev", "heading": "Møte: {title}", "body": "Sted: {place}"},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Sted: {place}"
    page = coordinator.get(url("letters", listed.pk))
    assert "Brev" in page.content.decode()


def test_a_shared_template_is_for_municipality_wide_coordinators_only(world, listed):
    shared = place_services.letter_template_create(
        municipality=world.municipality, name="Felles", heading="{title}", body="{time}"
    )
    facility = english(world.users["facility_staff"])
    assert facility.get(url("letter_template_edit", listed.pk, shared.pk)).status_code == 403
    outsider = english(world.users["outsider"])
    assert (
        outsider.get(url("letter_template_edit", world.other_project.pk, shared.pk)).status_code
        == 404
    )


def test_without_a_neighbour_list_there_is_a_clear_message(world, meeting, template, coordinator):
    response = coordinator.post(
        url("letters", world.project.pk), {"meeting": meeting.pk, "template": template.pk}
    )
    assert response.status_code == 400
    assert "Compute the neighbour list first" in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_meeting_of_another_project_is_refused(world, listed, template, coordinator):
    starts = timezone.now()
    other = Meeting.objects.create(
        project=world.other_project,
        kind="information",
        title="Annet",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    response = coordinator.post(
        url("letters", listed.pk), {"meeting": other.pk, "template": template.pk}
    )
    assert response.status_code == 400
    assert "Choose one of the project&#x27;s meetings." in response.content.decode()


def test_an_empty_list_prints_nothing(world, meeting, template, coordinator):
    world.project.latitude, world.project.longitude = Decimal("69.65"), Decimal("18.95")
    world.project.save()
    services.neighbour_list_compute(project=world.project, radius_m=200)
    response = coordinator.post(
        url("letters", world.project.pk), {"meeting": meeting.pk, "template": template.pk}
    )
    assert response.status_code == 400
    assert "nothing to print" in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_politician_cannot_print_letters(world, listed, meeting, template):
    politician = english(world.users["politician"])
    assert politician.get(url("letters", listed.pk)).status_code == 403


@pytest.mark.parametrize("count", [1, 12])
def test_the_letters_page_has_a_fixed_number_of_queries(
    world, listed, coordinator, django_assert_max_num_queries, count
):
    for index in range(count):
        place_services.letter_template_create(
            municipality=world.municipality,
            project=listed if index % 2 else None,
            name=f"Mal {index}",
            heading="{title}",
            body="{time}",
        )
        starts = timezone.now() + datetime.timedelta(days=index)
        Meeting.objects.create(
            project=listed,
            kind="information",
            title=f"Møte {index}",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
        )
    with django_assert_max_num_queries(16):
        assert coordinator.get(url("letters", listed.pk)).status_code == 200
