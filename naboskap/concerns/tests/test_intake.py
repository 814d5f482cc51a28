"""Issue 16: staff register a concern received by phone, letter, at the front desk … through
the same operation as the public form; the receipt by email or as a printable letter."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pypdf import PdfReader

from naboskap.concerns import services
from naboskap.concerns.models import Category, Concern, Policy
from naboskap.conftest import english
from naboskap.testing.factories import UnitFactory

URL = "/app/meldinger/ny/"
TEXT = "Ringte om høy musikk fra bakgården hver natt denne uka."
FUZZ = hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def noise(world) -> Category:
    services.categories_ensure_defaults(municipality=world.municipality)
    return Category.objects.get(municipality=world.municipality, code="noise")


def hidden_key(body: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]*)"', body).group(1)


def intake_data(world, client, **fields) -> dict:
    page = client.get(URL)
    assert page.status_code == 200
    data = {
        "intake_channel": "phone",
        "project": world.project.pk,
        "category": noise(world).pk,
        "description": TEXT,
        "location": "Bakgården",
        "occurred_at": "",
        "reporter_name": "",
        "reporter_email": "",
        "reporter_phone": "",
        "reporter_address": "",
        "preferred_channel": "",
        "language": "nb",
        "idempotency_key": hidden_key(page.content.decode()),
    }
    data.update(fields)
    return data


def test_the_form_is_one_page_with_the_channel_first_and_focused(world):
    client = english(world.users["case_handler"])
    body = client.get(URL).content.decode()
    form = body[body.index("<main") :]
    first = re.search(r"<(select|input|textarea)[^>]*>", form[form.index("<form") :]).group(0)
    assert 'name="csrfmiddlewaretoken"' in first or 'name="intake_channel"' in first
    select = re.search(r'<select[^>]*name="intake_channel"[^>]*>', body).group(0)
    assert "autofocus" in select
    assert re.search(r'<option value="phone" selected\s*>', body)
    assert "I don&#x27;t know / the area in general" in body
    channels = body[body.index(select) : body.index("</select>", body.index(select))]
    assert 'value="web"' not in channels and 'value="police"' in channels
    # The inbox links to it.
    assert URL in client.get(reverse("concerns:inbox")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_phone_call_with_an_email_gets_the_receipt_by_email(world, tasks):
    client = english(world.users["case_handler"])
    data = intake_data(world, client, reporter_email="ringer@example.org", reporter_name="Per")
    response = client.post(URL, data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert response["Location"] == reverse("concerns:intake_done", args=[concern.pk])
    assert concern.intake_channel == Concern.IntakeChannel.PHONE
    assert concern.registered_by == world.users["case_handler"]
    assert concern.project == world.project
    assert concern.assigned_unit == world.project.responsible_unit  # routed as the web form
    assert concern.preferred_channel == Concern.Channel.EMAIL
    assert re.fullmatch(r"\d{4}-\d{6}", concern.reference)
    assert concern.acknowledge_due and concern.answer_due
    done = client.get(response["Location"])
    assert done.status_code == 200
    body = done.content.decode()
    assert concern.reference in body and concern.short_code in body
    assert "goes to the person's email address" in body
    # The case handler's unit is not the one it went to: the page still shows the reference.
    assert "Open the case" not in body
    tasks()
    receipts = [m for m in mail.outbox if m.to == ["ringer@example.org"]]
    assert len(receipts) == 1 and concern.reference in receipts[0].body
    # The same form sent twice registers one concern.
    assert client.post(URL, data).status_code == 302
    assert Concern.objects.count() == 1


def test_a_letter_without_contact_gets_a_printable_receipt_letter(world):
    world.municipality.phone = "+4755123456"
    world.municipality.address = "Postboks 1, 9999 Fjordby"
    world.municipality.save()
    client = english(world.users["coordinator"])
    data = intake_data(
        world,
        client,
        intake_channel="letter",
        project="general",
        reporter_name="Olga Hansen",
        reporter_address="Strandgata 3\n9999 Fjordby",
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.project is None and concern.intake_channel == "letter"
    assert concern.preferred_channel == Concern.Channel.NONE
    body = client.get(response["Location"]).content.decode()
    assert "Print the receipt letter" in body
    pdf = client.get(reverse("concerns:receipt_letter", args=[concern.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert concern.reference in text
    assert f"/m/{concern.reference}" in text.replace("\n", "")  # typed without the slash
    typed = client.get(f"/m/{concern.reference}")
    assert typed.status_code == 301 and typed["Location"] == f"/m/{concern.reference}/"
    assert concern.short_code in text
    assert "Olga Hansen" in text and "Strandgata 3" in text
    assert reader.pages[0].images, "the QR code"
    # Written in the person's language (bokmål here).
    assert "Kvittering" in text or "kvittering" in text


def test_a_general_concern_goes_to_the_default_unit(world):
    unit = UnitFactory(municipality=world.municipality, name="Servicetorget")
    Policy.objects.create(municipality=world.municipality, default_unit=unit)
    client = english(world.users["admin"])
    data = intake_data(world, client, intake_channel="front_desk", project="general")
    assert client.post(URL, data).status_code == 302
    assert Concern.objects.get().assigned_unit == unit


def test_validation_errors_keep_everything_typed(world):
    client = english(world.users["coordinator"])
    data = intake_data(
        world, client, project="", reporter_name="Per Persen", occurred_at="0001-01-01T00:00"
    )
    response = client.post(URL, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert TEXT in body and 'value="Per Persen"' in body
    assert "Give a date between 1900 and 2100." in body
    assert "Choose the project the concern is about" in body
    select = re.search(r'<select[^>]*name="intake_channel"[^>]*>', body).group(0)
    assert "autofocus" not in select  # the error summary has the focus
    phone_only = intake_data(world, client, preferred_channel="phone")
    response = client.post(URL, phone_only)
    assert response.status_code == 400 and "Give a phone number" in response.content.decode()
    assert not Concern.objects.exists()


def test_only_those_who_handle_concerns_register_them(world, persona_clients):
    expected = {
        "anonymous": 302,
        "admin": 200,
        "coordinator": 200,
        "case_handler": 200,
        "facility_staff": 200,
        "police": 403,
        "politician": 403,
    }
    for name, status in expected.items():
        assert persona_clients[name].get(URL).status_code == status, name
    # Project staff are offered their own project (and the area in general) only.
    body = persona_clients["facility_staff"].get(URL).content.decode()
    options = re.findall(r'<option value="([^"]*)"', body[body.index('name="project"') :])
    assert str(world.project.pk) in options and "general" in options


def test_the_done_page_and_letter_are_for_the_registrant_or_those_who_see_the_case(world):
    registrant = english(world.users["case_handler"])
    assert registrant.post(URL, intake_data(world, registrant)).status_code == 302
    concern = Concern.objects.get()
    done = reverse("concerns:intake_done", args=[concern.pk])
    letter = reverse("concerns:receipt_letter", args=[concern.pk])
    assert registrant.get(done).status_code == 200
    assert english(world.users["coordinator"]).get(letter).status_code == 200
    assert english(world.users["police"]).get(done).status_code == 404
    assert english(world.users["outsider"]).get(letter).status_code == 404


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "intake_channel",
                "project",
                "category",
                "description",
                "location",
                "occurred_at",
                "reporter_name",
                "reporter_email",
                "reporter_phone",
                "reporter_address",
                "preferred_channel",
                "language",
                "idempotency_key",
            ]
        ),
        st.one_of(
            st.text(max_size=300),
            st.sampled_from(
                ["phone", "general", "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00"]
            ),
            st.integers(-5, 10**12).map(str),
        ),
    )
)
def test_fuzz_the_intake_form(world, data):
    client = english(world.users["coordinator"])
    response = client.post(URL, data)
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert "Please correct the following" in response.content.decode()
