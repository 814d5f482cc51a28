"""Letters people can act on (issue 17): short links (`/n/<code>/`), a QR code and the short
address on every letter, no letter to the project's own site, and the concern receipt page
that shows what was received once."""

import datetime
import io
import re
import secrets
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from naboskap.concerns import services as concern_services
from naboskap.concerns.models import Category, Concern
from naboskap.conftest import english
from naboskap.meetings import services as meeting_services
from naboskap.meetings.models import Meeting
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.projects import services
from naboskap.projects.models import SHORT_LINK_ALPHABET, ShortLink
from naboskap.stakeholders import services as stakeholder_services
from naboskap.stakeholders.places import services as place_services
from naboskap.stakeholders.tests.factories import make_address, make_addresses_around
from naboskap.testing.documents import fetch_document, fetch_run

SHORT = re.compile(r"/n/([A-Z0-9]{6})")


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_images(content: bytes) -> list[int]:
    """The images on each page of the PDF (the QR codes are PNG images: /XObject /Image)."""
    return [len(page.images) for page in PdfReader(io.BytesIO(content)).pages]


def short_codes(text: str) -> list[str]:
    return SHORT.findall(text.replace("\n", ""))


# The short links ---------------------------------------------------------------------------


def test_codes_use_an_alphabet_without_ambiguous_characters(world):
    assert not set("01OIL") & set(SHORT_LINK_ALPHABET)
    links = [
        services.short_link_for(municipality=world.municipality, target=f"/prosjekter/p{n}/")
        for n in range(30)
    ]
    assert len({link.code for link in links}) == 30
    for link in links:
        assert len(link.code) == 6 and set(link.code) <= set(SHORT_LINK_ALPHABET)
    # The same page gets the same link again.
    again = services.short_link_for(municipality=world.municipality, target="/prosjekter/p0/")
    assert again.pk == links[0].pk and ShortLink.objects.count() == 30


def test_a_collision_is_retried(world, monkeypatch):
    first = services.short_link_for(municipality=world.municipality, target="/a/")
    codes = iter([first.code, first.code, "HJKMN7"])
    monkeypatch.setattr(services, "_new_short_code", lambda: next(codes))
    second = services.short_link_for(municipality=world.municipality, target="/b/")
    assert second.code == "HJKMN7" and ShortLink.objects.count() == 2


def test_lookup_ignores_case_and_spaces_and_expired_links_are_gone(world):
    link = services.short_link_for(
        municipality=world.municipality,
        target="/svar/abc/",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    typed = f" {link.code[:3].lower()}-{link.code[3:].lower()} "
    assert services.short_link_resolve(municipality=world.municipality, code=typed) == link
    assert (
        services.short_link_resolve(municipality=world.other_municipality, code=link.code) is None
    )
    ShortLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert services.short_link_resolve(municipality=world.municipality, code=link.code) is None
    # A link that lives shorter than asked for is not reused: a new one is made.
    longer = services.short_link_for(
        municipality=world.municipality,
        target="/svar/abc/",
        expires_at=timezone.now() + datetime.timedelta(days=2),
    )
    assert longer.pk != link.pk


def test_the_short_address_redirects_in_any_case(world, client_en):
    link = services.short_link_for(
        municipality=world.municipality, target=world.project.get_public_url()
    )
    response = client_en.get(f"/n/{link.code.lower()}/")
    assert response.status_code == 302
    assert response["Location"] == world.project.get_public_url()
    assert client_en.get(response["Location"]).status_code == 200
    # Typed without the trailing slash, it still arrives.
    assert client_en.get(f"/n/{link.code}").status_code == 301


def test_an_unknown_or_expired_code_gets_a_friendly_404(world, client_en):
    response = client_en.get("/n/ZZZZZZ/")
    assert response.status_code == 404
    assert "No page with this code" in response.content.decode()
    link = services.short_link_for(
        municipality=world.municipality,
        target="/svar/x/",
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert client_en.get(f"/n/{link.code}/").status_code == 404
    # A code of another municipality is unknown here.
    other = services.short_link_for(municipality=world.other_municipality, target="/")
    assert client_en.get(f"/n/{other.code}/").status_code == 404


def test_the_short_address_is_rate_limited(world, settings):
    settings.PUBLIC_READ_RATE = "5/m"
    link = services.short_link_for(municipality=world.municipality, target="/")
    client = Client(REMOTE_ADDR="10.0.0.77")
    statuses = [client.get(f"/n/{link.code}/").status_code for _ in range(12)]
    assert statuses[:5] == [302] * 5
    assert 429 in statuses


# The letters --------------------------------------------------------------------------------


def follow(client, code: str) -> str:
    response = client.get(f"/n/{code}/")
    assert response.status_code == 302
    return response["Location"]


def test_council_letters_have_a_qr_code_a_short_rsvp_address_and_the_project(
    world, coordinator, client_en
):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body)
    meeting_services.invitations_send(meeting=meeting, members=body.members.all())
    url = reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])
    response = fetch_document(coordinator, url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    invitation = meeting.invitations.get(via="letter")
    # No 60-character token to type: a six-character code instead.
    assert invitation.token not in text.replace("\n", "")
    codes = short_codes(text)
    targets = {follow(client_en, code) for code in codes}
    assert invitation.get_rsvp_url() in targets
    assert world.project.get_public_url() in targets
    assert all(pdf_images(response.content))
    # The short RSVP address stops working once the meeting is over, like the letter's use.
    rsvp_link = ShortLink.objects.get(target=invitation.get_rsvp_url())
    assert rsvp_link.expires_at == meeting.ends_at + datetime.timedelta(days=1)


@pytest.fixture
def neighbours(world):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.address = "Lindeveien 3 b, 9999 Fjordby"
    project.save()
    # The project's own site is on the list (it is within the radius) ...
    make_address(world.municipality, 69.65, 18.95, street="Lindeveien", number=3, letter="B")
    make_address(world.municipality, 69.6502, 18.95, street="Lindeveien", number=5)
    make_addresses_around(world.municipality, 69.65, 18.95, 2)
    stakeholder_services.neighbour_list_compute(project=project, radius_m=200)
    return project


def test_neighbour_letters_skip_the_site_list_the_meeting_once_and_can_be_acted_on(
    world, neighbours, coordinator, client_en
):
    starts = timezone.now() + datetime.timedelta(days=10)
    meeting = Meeting.objects.create(
        project=world.project,
        kind=Meeting.Kind.INFORMATION,
        title="Informasjonsmøte om Lindeveien",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Fjordby skole, aulaen",
    )
    template = place_services.letter_template_create(
        municipality=world.municipality,
        project=world.project,
        name="Nabobrev",
        heading="Invitasjon: {title}",
        body="Vi inviterer til møte.\n\nTid: {time}\nSted: {place}",
    )
    started = coordinator.post(
        reverse("stakeholders:letters", args=[world.project.pk]),
        {"meeting": meeting.pk, "template": template.pk},
    )
    response = fetch_run(coordinator, started)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    # Three neighbours, and no letter to the site itself (Lindeveien 3B).
    assert len(pages) == 3
    assert not any("Lindeveien 3B" in page for page in pages)
    assert any("Lindeveien 5" in page for page in pages)
    for page in pages:
        # The meeting once: the template gives the place, the facts block is left out.
        assert page.count("Fjordby skole, aulaen") == 1
        assert [follow(client_en, code) for code in short_codes(page)] == [
            world.project.get_public_url()
        ]
    assert pdf_images(response.content) == [1, 1, 1]


def test_the_site_is_matched_on_the_normalised_address(world):
    project = world.project
    address = make_address(world.municipality, 69.6, 18.9, street="Storgata", number=12)
    for written, same in [
        ("Storgata 12, 9999 Fjordby", True),
        ("storgata  12", True),
        ("STORGATA 12, 0150 Oslo", False),
        ("Storgata 14, 9999 Fjordby", False),
    ]:
        project.address = written
        assert place_services.is_project_site(address, project) is same, written


def test_survey_slips_have_the_short_address_and_the_project(world, coordinator, client_en):
    from naboskap.insights import services as insight_services

    today = timezone.localdate()
    survey_round = insight_services.round_create(
        project=world.project,
        template=insight_services.template_ensure_default(municipality=world.municipality),
        title="Trygghet",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
    )
    url = reverse("insights:round_codes", args=[world.project.pk, survey_round.pk])
    response = fetch_run(coordinator, coordinator.post(url, {"count": "2"}))
    assert response.status_code == 200
    text = pdf_text(response.content)
    targets = [follow(client_en, code) for code in short_codes(text)]
    answer = reverse("portal:survey_answer", args=[survey_round.token])
    assert answer in targets and world.project.get_public_url() in targets
    assert sum(pdf_images(response.content)) >= 2
    link = ShortLink.objects.get(target=answer)
    assert timezone.localtime(
        link.expires_at
    ).date() == survey_round.closes_on + datetime.timedelta(days=1)


def test_the_receipt_letter_has_the_qr_code_the_short_address_and_the_window_address(
    world, coordinator
):
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    concern, _created = concern_services.concern_submit(
        municipality=world.municipality,
        project=world.project,
        category=Category.objects.filter(municipality=world.municipality).first(),
        idempotency_key=secrets.token_urlsafe(24),
        description="Brev om støy.",
        location="",
        occurred_at=None,
        reporter_name="Olga Hansen",
        reporter_email="",
        reporter_phone="",
        preferred_channel=Concern.Channel.NONE,
        language="en",
    )
    Concern.objects.filter(pk=concern.pk).update(reporter_address="Strandgata 3\n9999 Fjordby")
    response = coordinator.get(reverse("concerns:receipt_letter", args=[concern.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert f"/m/{concern.reference}" in text.replace("\n", "")
    assert concern.short_code in text
    assert "Olga Hansen\nStrandgata 3\n9999 Fjordby" in text
    assert "Our reference" in text and "Fjordby kommune" in text
    # One page, one QR code.
    assert pdf_images(response.content) == [1]


# The receipt page ---------------------------------------------------------------------------


def test_the_receipt_page_shows_what_was_received_once(world, client_en):
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    category = Category.objects.get(municipality=world.municipality, code="noise")
    data = {
        "project": world.project.pk,
        "category": category.pk,
        "description": "Høy musikk fra hagen etter midnatt, flere kvelder på rad.",
        "location": "Hagen mot Lindeveien",
        "occurred_at": "",
        "reporter_name": "",
        "reporter_email": "",
        "reporter_phone": "",
        "preferred_channel": "none",
        "idempotency_key": secrets.token_urlsafe(24),
        "website": "",
    }
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.description == data["description"]
    first = client_en.get(response["Location"]).content.decode()
    assert "What we received" in first
    assert first.count("Høy musikk fra hagen etter midnatt") == 1
    assert "Hagen mot Lindeveien" in first and category.label in first
    # A reload, or the link opened again, does not show the text.
    again = client_en.get(response["Location"])
    assert again.status_code == 200
    assert "Høy musikk fra hagen" not in again.content.decode()
    assert "What we received" not in again.content.decode()
    # Another browser with the link does not get it either.
    other = english().get(response["Location"]).content.decode()
    assert "Høy musikk fra hagen" not in other and concern.reference in other
