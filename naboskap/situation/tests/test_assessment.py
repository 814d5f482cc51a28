"""The shared assessment: created, edited into versions, signed by both parties, refused when
outdated or signed by the wrong role, and printed as a PDF/A-2b without identities (a stored
document per version, made again when what it shows changes)."""

import html
import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from naboskap.conftest import client_for
from naboskap.documents.models import Document
from naboskap.documents.rendering import stale_documents
from naboskap.documents.tests.kinds import pdf_text
from naboskap.situation import services
from naboskap.situation.models import Assessment, AssessmentVersion, Party, SignOff
from naboskap.situation.tests.helpers import END, SECRET_TEXT, START, at, fill, police_concern
from naboskap.testing.documents import fetch_document, read, render_queued

pytestmark = pytest.mark.django_db

TEXT = "Uro ved inngangen på kveldstid i uke 10. Tiltak: felles runde fredager."


@pytest.fixture
def assessment(world):
    return services.assessment_create(
        project=world.project,
        period_start=START,
        period_end=END,
        text=TEXT,
        by=world.users["coordinator"],
    )


def detail_url(assessment):
    return reverse("situation:assessment_detail", args=[assessment.project_id, assessment.pk])


def sign_url(assessment):
    return reverse("situation:assessment_sign", args=[assessment.project_id, assessment.pk])


def edit_url(assessment):
    return reverse("situation:assessment_edit", args=[assessment.project_id, assessment.pk])


def test_a_police_liaison_writes_an_assessment(world):
    client = client_for(world.users["police"])
    url = reverse("situation:assessment_create", args=[world.project.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"period_start": "2026-01-01", "period_end": "2026-03-31", "text": TEXT}
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(assessment)
    assert assessment.version == 1
    assert assessment.versions.get().text == TEXT
    assert assessment.versions.get().written_by == world.users["police"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"period_start": "2026-03-31", "period_end": "2026-01-01", "text": TEXT},
            "period_end",
            "The period must end on or after the day it starts.",
        ),
        ({"period_start": "", "period_end": "", "text": TEXT}, "period_start", "required"),
        (
            {"period_start": "2026-01-01", "period_end": "2026-03-31", "text": "   "},
            "text",
            "required",
        ),
    ],
)
def test_a_bad_assessment_is_refused_and_what_was_typed_kept(world, data, field, message):
    client = client_for(world.users["coordinator"], language="en")
    response = client.post(reverse("situation:assessment_create", args=[world.project.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    if data["text"].strip():
        assert TEXT in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_same_period_twice_is_refused(world, assessment):
    client = client_for(world.users["coordinator"], language="en")
    response = client.post(
        reverse("situation:assessment_create", args=[world.project.pk]),
        {"period_start": START, "period_end": END, "text": "Noe annet"},
    )
    assert response.status_code == 400
    assert "already has an assessment for exactly this period" in response.content.decode()
    assert Assessment.objects.count() == 1


def test_both_parties_sign_and_the_assessment_is_agreed(world, assessment):
    coordinator = client_for(world.users["coordinator"], language="en")
    police = client_for(world.users["police"], language="en")
    page = coordinator.get(detail_url(assessment)).content.decode()
    assert "Not signed by both parties" in page
    response = coordinator.post(sign_url(assessment), {"party": "municipality", "version": 1})
    assert response.status_code == 302
    response = police.post(sign_url(assessment), {"party": "police", "version": 1})
    assert response.status_code == 302
    sign_offs = SignOff.objects.order_by("pk")
    assert [(s.party, s.signed_by) for s in sign_offs] == [
        ("municipality", world.users["coordinator"]),
        ("police", world.users["police"]),
    ]
    page = police.get(detail_url(assessment)).content.decode()
    assert "Signed by both parties" in page
    assert (
        world.users["police"].get_username() in page
        or world.users["police"].get_full_name() in page
    )


def test_an_edit_after_a_sign_off_makes_a_new_unsigned_version(world, assessment):
    services.assessment_sign(
        assessment=assessment, version=1, party=Party.POLICE, by=world.users["police"]
    )
    client = client_for(world.users["coordinator"], language="en")
    page = client.get(edit_url(assessment)).content.decode()
    assert "This version has been signed" in page
    response = client.post(edit_url(assessment), {"text": TEXT + " Endret.", "based_on": 1})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.version == 2
    current = assessment.versions.get(number=2)
    assert not current.sign_offs.exists()
    # The earlier version and its sign-off stay readable.
    old = reverse("situation:version_detail", args=[world.project.pk, assessment.pk, 1])
    page = client.get(old).content.decode()
    assert "This is an earlier version" in page
    assert TEXT in page and "Endret." not in page
    assert AssessmentVersion.objects.get(number=1).sign_offs.get().party == "police"
    # The earlier version offers no sign-off.
    assert 'name="party"' not in page


def test_an_unchanged_text_makes_no_version(world, assessment):
    client = client_for(world.users["coordinator"])
    assert client.post(edit_url(assessment), {"text": TEXT, "based_on": 1}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.version == 1


def test_signing_an_outdated_version_is_refused(world, assessment):
    police = client_for(world.users["police"], language="en")
    # The police liaison opened version 1; meanwhile the coordinator saved version 2.
    services.assessment_edit(
        assessment=assessment, text="Ny tekst", based_on=1, by=world.users["coordinator"]
    )
    response = police.post(sign_url(assessment), {"party": "police", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "version 1 is no longer the current one (version 2 is)" in page
    assert "Ny tekst" in page  # the current text, to read before signing
    assert not SignOff.objects.exists()


def test_editing_an_outdated_version_is_refused_and_the_text_kept(world, assessment):
    services.assessment_edit(
        assessment=assessment, text="Ny tekst", based_on=1, by=world.users["police"]
    )
    client = client_for(world.users["coordinator"], language="en")
    response = client.post(edit_url(assessment), {"text": "Min endring", "based_on": 1})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone saved a new version (version 2)" in page
    assert "Min endring" in page and "Ny tekst" in page
    assert AssessmentVersion.objects.count() == 2
    # Having read the current text, saving again makes version 3.
    assert 'name="based_on" value="2"' in page
    response = client.post(edit_url(assessment), {"text": "Min endring", "based_on": 2})
    assert response.status_code == 302
    assert AssessmentVersion.objects.get(number=3).text == "Min endring"


@pytest.mark.parametrize(
    ("persona", "party", "status"),
    [
        ("police", "municipality", 403),
        ("coordinator", "police", 403),
        ("admin", "police", 403),
        ("politician", "municipality", 403),
        ("case_handler", "police", 403),
        ("facility_staff", "municipality", 403),
        ("outsider", "municipality", 404),
    ],
)
def test_a_sign_off_without_the_role_changes_nothing(
    world, assessment, persona_clients, persona, party, status
):
    response = persona_clients[persona].post(sign_url(assessment), {"party": party, "version": 1})
    assert response.status_code == status
    assert not SignOff.objects.exists()


def test_a_wrong_role_sign_off_says_why(world, assessment):
    response = client_for(world.users["police"], language="en").post(
        sign_url(assessment), {"party": "municipality", "version": 1}
    )
    assert response.status_code == 403
    assert "Only the municipality's coordinators can sign for the municipality." in (
        html.unescape(response.content.decode())
    )


def test_one_person_cannot_sign_for_both_parties(world, assessment):
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Membership, Role

    both = make_staff(world.municipality, Role.COORDINATOR)
    Membership.objects.create(user=both, municipality=world.municipality, role=Role.POLICE)
    client = client_for(both, language="en")
    assert client.post(sign_url(assessment), {"party": "police", "version": 1}).status_code == 302
    response = client.post(sign_url(assessment), {"party": "municipality", "version": 1})
    assert response.status_code == 409
    assert "Each party signs for itself" in response.content.decode()
    assert SignOff.objects.count() == 1


def test_signing_twice_for_a_party_is_refused(world, assessment):
    client = client_for(world.users["police"], language="en")
    assert client.post(sign_url(assessment), {"party": "police", "version": 1}).status_code == 302
    response = client.post(sign_url(assessment), {"party": "police", "version": 1})
    assert response.status_code == 409
    assert "has already signed this version" in response.content.decode()
    assert SignOff.objects.count() == 1


def test_a_garbled_sign_off_is_a_clear_4xx(world, assessment):
    client = client_for(world.users["police"], language="en")
    response = client.post(sign_url(assessment), {"party": "mayor", "version": "x"})
    assert response.status_code == 409
    assert "Nothing was signed" in response.content.decode()
    assert not SignOff.objects.exists()


def test_the_pdf_reads_as_the_assessment_and_names_no_one_it_is_about(world, assessment):
    fill(world.project)
    services.assessment_sign(
        assessment=assessment, version=1, party=Party.POLICE, by=world.users["police"]
    )
    services.assessment_sign(
        assessment=assessment,
        version=1,
        party=Party.MUNICIPALITY,
        by=world.users["coordinator"],
    )
    client = client_for(world.users["police"], language="en")
    url = reverse("situation:assessment_pdf", args=[world.project.pk, assessment.pk])
    waiting = client.get(url)
    assert waiting.status_code == 200
    assert "The PDF is being prepared." in waiting.content.decode()
    assert render_queued() == 1  # what the worker does
    response = client.get(url)
    assert response.streaming  # the stored file
    response = read(response)
    assert response["Content-Type"] == "application/pdf"
    assert (
        'filename="situasjonsbilde-lindeveien-2026-03-02-v1.pdf"'
        in (response["Content-Disposition"])
    )
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Shared assessment 2. March 2026–22. March 2026" in text
    assert "Uro ved inngangen på kveldstid" in text
    assert "Signed by both parties" in text
    assert "The police" in text and "The municipality" in text
    assert "Week 10, 2026" in text
    for secret in (SECRET_TEXT, "Ola Anmelder", "ola.anmelder", "91234567", "Lindeveien 3"):
        assert secret not in text
    assert reader.metadata.author == "Fjordby kommune"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp


def pdf_url(assessment, version=None):
    url = reverse("situation:assessment_pdf", args=[assessment.project_id, assessment.pk])
    return f"{url}?versjon={version}" if version else url


def test_the_pdf_of_an_earlier_version(world, assessment):
    client = client_for(world.users["coordinator"], language="en")
    text = pdf_text(fetch_document(client, pdf_url(assessment, 1)).content)
    assert "Uro ved inngangen" in text and "the current one is" not in text
    # A new version: the earlier one's PDF now says which one is current, so it is made again.
    services.assessment_edit(assessment=assessment, text="Ny tekst", based_on=1, by=None)
    assert not client.get(pdf_url(assessment, 1)).streaming
    text = pdf_text(fetch_document(client, pdf_url(assessment, 1)).content)
    assert "Uro ved inngangen" in text and "the current one is version 2" in text
    assert "Ny tekst" in pdf_text(fetch_document(client, pdf_url(assessment)).content)
    assert client.get(pdf_url(assessment, 9)).status_code == 404
    assert client.get(pdf_url(assessment, "x")).status_code == 404
    # Each version in bokmål (made ahead, the municipality's language) and in English.
    assert Document.objects.filter(kind="situation.assessment").count() == 4


def test_a_concern_in_the_period_makes_the_pdf_stale_and_it_is_made_again(world, assessment):
    """The picture is counted from other apps' rows, which no service here reports: the
    stored PDF's fingerprint reads them."""
    client = client_for(world.users["police"], language="en")
    text = pdf_text(fetch_document(client, pdf_url(assessment)).content)
    assert "No incidents were recorded" in text
    police_concern(world.project, "noise", at(3, 22))
    page = client.get(pdf_url(assessment))
    assert "The PDF is being prepared." in page.content.decode()
    assert render_queued() == 1
    response = client.get(pdf_url(assessment))
    assert response.streaming
    text = pdf_text(read(response).content)
    assert "1 incident from 2. March 2026 to 22. March 2026" in text
    # A concern outside the period is not in the picture: the PDF stays as it is.
    police_concern(world.project, "noise", at(23))
    assert client.get(pdf_url(assessment)).streaming


def test_a_signed_version_keeps_its_pdf_when_the_next_is_signed(world, assessment):
    """A sign-off belongs to one version: it makes that version's PDF stale, not the PDFs
    of the versions before it, which never change once signed."""
    services.assessment_sign(
        assessment=assessment, version=1, party=Party.POLICE, by=world.users["police"]
    )
    services.assessment_edit(assessment=assessment, text="Ny tekst", based_on=1, by=None)
    client = client_for(world.users["coordinator"], language="en")
    fetch_document(client, pdf_url(assessment, 1))
    fetch_document(client, pdf_url(assessment, 2))
    services.assessment_sign(
        assessment=assessment, version=2, party=Party.MUNICIPALITY, by=world.users["coordinator"]
    )
    assert client.get(pdf_url(assessment, 1)).streaming
    assert not client.get(pdf_url(assessment, 2)).streaming
    render_queued()
    text = pdf_text(read(client.get(pdf_url(assessment, 2))).content)
    assert "Ny tekst" in text and "The municipality" in text


@pytest.mark.django_db(transaction=True)
def test_each_version_is_made_ahead_in_the_municipalitys_language(world, tasks):
    assessment = services.assessment_create(
        project=world.project,
        period_start=START,
        period_end=END,
        text=TEXT,
        by=world.users["coordinator"],
    )
    tasks()
    client = client_for(world.users["police"])  # bokmål, the municipality's language
    assert client.get(pdf_url(assessment)).streaming
    services.assessment_edit(assessment=assessment, text="Ny tekst", based_on=1, by=None)
    tasks()  # the new version, and version 1 again (it now says version 2 is current)
    assert client.get(pdf_url(assessment)).streaming
    first = client.get(pdf_url(assessment, 1))
    assert first.streaming
    assert "versjon 2" in pdf_text(read(first).content)
    # Nothing else is stale: the worker finds every document current, in any language.
    with translation.override("en"):
        assert stale_documents(Document.objects.all()) == []


def test_the_assessment_page_shows_no_identities(world, assessment):
    fill(world.project)
    page = client_for(world.users["police"]).get(detail_url(assessment)).content.decode()
    assert TEXT in page
    for secret in (SECRET_TEXT, "Ola Anmelder", "ola.anmelder@example.org", "Lindeveien 3"):
        assert secret not in page


@pytest.mark.parametrize("versions", [1, 8])
def test_assessment_page_queries_do_not_grow(
    world, assessment, versions, django_assert_max_num_queries
):
    fill(world.project)
    for n in range(1, versions):
        services.assessment_sign(
            assessment=assessment, version=n, party=Party.POLICE, by=world.users["police"]
        )
        services.assessment_edit(
            assessment=assessment, text=f"{TEXT} {n}", based_on=n, by=world.users["coordinator"]
        )
    client = client_for(world.users["police"])
    with django_assert_max_num_queries(16):
        assert client.get(detail_url(assessment)).status_code == 200
