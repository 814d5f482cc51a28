"""The shared assessment: created, edited into versions, signed by both parties, refused when
outdated or signed by the wrong role, and printed as a PDF/A-2b without identities."""

import html
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from naboskap.conftest import client_for
from naboskap.situation import services
from naboskap.situation.models import Assessment, AssessmentVersion, Party, SignOff
from naboskap.situation.tests.helpers import END, SECRET_TEXT, START, fill

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
    response = client_for(world.users["police"], language="en").get(
        reverse("situation:assessment_pdf", args=[world.project.pk, assessment.pk])
    )
    assert response.status_code == 200
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


def test_the_pdf_of_an_earlier_version(world, assessment):
    services.assessment_edit(assessment=assessment, text="Ny tekst", based_on=1, by=None)
    client = client_for(world.users["coordinator"], language="en")
    base = reverse("situation:assessment_pdf", args=[world.project.pk, assessment.pk])
    text = PdfReader(io.BytesIO(client.get(base + "?versjon=1").content)).pages[0].extract_text()
    assert "Uro ved inngangen" in text and "the current one is version 2" in text
    assert client.get(base + "?versjon=9").status_code == 404
    assert client.get(base + "?versjon=x").status_code == 404


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
