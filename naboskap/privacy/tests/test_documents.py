"""The record of processing activities and the DPIA support document: who reads them, that
they are made from the configuration (a retention value the test sets shows up), that the
access table says what the rules say, and that the PDFs are stored documents with pages,
made again when the configuration they show changes."""

import io

import pytest
import rules
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from naboskap.concerns import services as concern_services
from naboskap.concerns.models import Category
from naboskap.conftest import client_for, english
from naboskap.documents.models import Document
from naboskap.documents.rendering import stale_documents
from naboskap.documents.tests.kinds import pdf_text
from naboskap.privacy import processing
from naboskap.tenancy.models import Role
from naboskap.testing.documents import fetch_document, read, render_queued
from naboskap.testing.factories import make_concern

RECORDS = reverse("privacy:records")
DPIA = reverse("privacy:dpia")
RECORDS_PDF = reverse("privacy:records_pdf")
DPIA_PDF = reverse("privacy:dpia_pdf")


@pytest.mark.parametrize("persona", ["admin", "coordinator"])
def test_admin_and_coordinator_read_the_record(persona, world):
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    response = english(world.users[persona]).get(RECORDS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Record of processing activities" in page
    assert "Fjordby kommune" in page
    assert "Concerns from neighbours" in page and "Situation picture with the police" in page
    # The municipality's own categories, as configured.
    assert Category.objects.get(municipality=world.municipality, code="noise").label in page
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "persona", ["case_handler", "facility_staff", "police", "politician", "anonymous"]
)
def test_other_staff_read_no_privacy_document(persona, persona_clients):
    expected = 302 if persona == "anonymous" else 403
    names = ("privacy:index", "privacy:records", "privacy:records_pdf", "privacy:dpia")
    for name in (*names, "privacy:dpia_pdf"):
        assert persona_clients[persona].get(reverse(name)).status_code == expected, name
    assert not Document.objects.exists()  # nothing asked for on their behalf


def test_only_the_admin_reads_the_dpia(world, persona_clients):
    response = english(world.users["admin"]).get(DPIA)
    assert response.status_code == 200
    page = response.content.decode()
    assert "DPIA support document" in page
    assert "To be filled in by the privacy officer:" in page
    assert "vulnerable" in page
    assert persona_clients["coordinator"].get(DPIA).status_code == 403
    assert persona_clients["coordinator"].get(DPIA_PDF).status_code == 403
    # The index offers the DPIA to the admin only.
    assert DPIA in persona_clients["admin"].get(reverse("privacy:index")).content.decode()
    assert DPIA not in persona_clients["coordinator"].get(reverse("privacy:index")).content.decode()


def test_the_outsider_reads_their_own_municipalitys_record(world, persona_clients):
    concern_services.policy_save(
        municipality=world.municipality, erase_contact_after_days=37, delete_after_years=9
    )
    page = english(world.users["outsider"]).get(RECORDS).content.decode()
    assert "Annenby kommune" in page and "Fjordby kommune" not in page
    assert ">37<" not in page


def test_the_documents_show_the_retention_the_municipality_configured(world):
    """Values no default has: they can only come from the saved policy."""
    concern_services.policy_save(
        municipality=world.municipality, erase_contact_after_days=37, delete_after_years=9
    )
    client = english(world.users["admin"])
    for url in (RECORDS, DPIA):
        page = client.get(url).content.decode()
        assert "delete contact details this many days after closure" in page
        assert ">37<" in page and ">9<" in page
        assert "The concern rules are the ones the municipality saved" in page or url == DPIA
    for url in (RECORDS_PDF, DPIA_PDF):
        text = pdf_text(fetch_document(client, url).content)
        assert "delete contact details this many days after closure" in text
        assert "37" in text


def test_the_record_says_when_the_defaults_apply(world):
    page = english(world.users["admin"]).get(RECORDS).content.decode()
    assert "has not saved its own concern rules" in page


@pytest.mark.parametrize(
    ("name", "title", "filename"),
    [
        ("privacy:records_pdf", "Record of processing activities", "behandlingsprotokoll"),
        ("privacy:dpia_pdf", "DPIA", "dpia-grunnlag"),
    ],
)
def test_the_pdfs_are_stored_documents_with_pages(name, title, filename, world):
    client = english(world.users["admin"])
    waiting = client.get(reverse(name))
    assert waiting.status_code == 200 and waiting["Content-Type"].startswith("text/html")
    assert "The PDF is being prepared." in waiting.content.decode()
    assert render_queued() == 1  # what the worker does
    response = client.get(reverse(name))
    assert response.streaming  # from storage
    response = read(response)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    text = pdf_text(response.content)
    assert title in text and "Fjordby kommune" in text
    assert response["Cache-Control"] == "private, no-store"
    slug = (
        "behandlingsprotokoll-fjordby" if name == "privacy:records_pdf" else "dpia-grunnlag-fjordby"
    )
    assert f'filename="{slug}-' in response["Content-Disposition"]


def test_a_changed_category_makes_the_record_stale_and_it_is_made_again(world):
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    client = english(world.users["coordinator"])
    assert "Lukt fra avfallsdunkene" not in pdf_text(fetch_document(client, RECORDS_PDF).content)
    assert client.get(RECORDS_PDF).streaming  # current: sent as stored

    category = Category.objects.get(municipality=world.municipality, code="noise")
    category.name = category.name_en = "Lukt fra avfallsdunkene"
    concern_services.category_save(category=category)
    waiting = client.get(RECORDS_PDF)
    assert "The PDF is being prepared." in waiting.content.decode()
    assert render_queued() == 1
    assert "Lukt fra avfallsdunkene" in pdf_text(read(client.get(RECORDS_PDF)).content)


def test_a_new_concern_makes_the_dpia_stale_but_not_the_record(world):
    """The DPIA counts the concerns; the record does not show them."""
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    client = english(world.users["admin"])
    fetch_document(client, RECORDS_PDF)
    fetch_document(client, DPIA_PDF)
    make_concern(world.project)
    assert client.get(RECORDS_PDF).streaming
    assert "The PDF is being prepared." in client.get(DPIA_PDF).content.decode()
    assert render_queued() == 1


def test_a_setting_the_record_shows_makes_it_stale(world, settings):
    client = english(world.users["admin"])
    assert "Two-step login (TOTP) required for staff\nYes" in pdf_text(
        fetch_document(client, RECORDS_PDF).content
    )
    settings.NABOSKAP_MFA_REQUIRED = False
    assert not client.get(RECORDS_PDF).streaming
    render_queued()
    assert "Two-step login (TOTP) required for staff\nNo" in pdf_text(
        read(client.get(RECORDS_PDF)).content
    )


def test_the_stored_documents_are_current_whatever_the_language(world):
    """What the fingerprint reads is the same in every language: the worker (in its own
    language) finds a document current that a reader in another language was sent."""
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    for language in ("nb", "nn", "en"):
        client = client_for(world.users["admin"], language=language)
        fetch_document(client, RECORDS_PDF)
        fetch_document(client, DPIA_PDF)
    assert Document.objects.filter(status=Document.Status.READY).count() == 6
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            assert stale_documents(Document.objects.all()) == []


def test_the_processors_come_from_the_settings_without_secrets(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.fjordby.example"
    settings.EMAIL_HOST_PASSWORD = "hemmelig-passord"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "entra",
                    "name": "Microsoft Entra ID",
                    "client_id": "abc",
                    "secret": "klient-hemmelighet",
                    "settings": {"server_url": "https://login.example.com/tenant/v2.0"},
                }
            ]
        }
    }
    settings.NABOSKAP_MFA_REQUIRED = False
    page = english(world.users["admin"]).get(RECORDS).content.decode()
    assert "smtp.fjordby.example" in page
    assert "Microsoft Entra ID (login.example.com)" in page
    assert "hemmelig-passord" not in page and "klient-hemmelighet" not in page
    assert "Two-step login (TOTP) required for staff</dt><dd>No" in page
    dpia = english(world.users["admin"]).get(DPIA).content.decode()
    assert "Two-step login is not required: staff sign in with a password alone." in dpia


def test_every_permission_the_access_table_asks_exists():
    for access in processing.ACCESS:
        assert rules.perm_exists(access.perm), access.perm


def test_the_access_table_says_what_the_rules_say_for_real_objects(world):
    """For each persona's role, the table's cell agrees with the rules asked about a real
    concern routed to the case handler's unit and a real project whose responsible unit is
    that unit: the table cannot drift from the code."""
    health = world.users["case_handler"].memberships.get().unit
    world.project.responsible_unit = health
    world.project.save()
    concern = make_concern(world.project)
    concern.assigned_unit = health
    concern.save()
    objects = {
        processing.MUNICIPALITY: world.municipality,
        processing.PROJECT: world.project,
        processing.CONCERN: concern,
    }
    roles = list(Role.values)
    table = processing.access_table(world.municipality)
    personas = {
        Role.ADMIN: "admin",
        Role.COORDINATOR: "coordinator",
        Role.CASE_HANDLER: "case_handler",
        Role.POLICE: "police",
        Role.POLITICIAN: "politician",
    }
    checked = 0
    for row in table:
        obj = objects[row["access"].on]
        for role, persona in personas.items():
            cell = row["cells"][roles.index(role)]
            user = world.users[persona]
            allowed = rules.has_perm(row["access"].perm, user, obj)
            assert allowed == (cell != processing.NO), (row["access"].perm, persona, cell)
            checked += 1
    assert checked == len(processing.ACCESS) * len(personas)
    # Some facts the table must show, read from it.
    concern_row = next(r for r in table if r["access"].perm == "concerns.view_concern")
    assert concern_row["cells"][roles.index(Role.CASE_HANDLER)] == processing.OWN_UNIT
    assert concern_row["cells"][roles.index(Role.POLITICIAN)] == processing.NO
    assert concern_row["cells"][roles.index(Role.ADMIN)] == processing.YES


def test_the_access_table_saves_nothing(world, django_assert_max_num_queries):
    """The sample objects are never saved: building the table writes no row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        processing.access_table(world.municipality)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_the_record_is_in_bokmal_by_default_and_in_nynorsk_on_request(world):
    from naboskap.conftest import client_for

    page = client_for(world.users["admin"]).get(RECORDS).content.decode()
    assert "Behandlingsprotokoll" in page and "Hvem ser hva" in page
    nynorsk = client_for(world.users["admin"], language="nn").get(RECORDS).content.decode()
    assert "Kven ser kva" in nynorsk
