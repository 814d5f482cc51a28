"""Issue 16, intake: the neighbour chooses the project (never a guess), nothing typed is lost
when the write limit refuses a form, the short address of a receipt letter, and dates out of
range answer a message, never a 500. Through HTTP, in English."""

import re
import secrets

import pytest
from django.core.cache import cache
from django.urls import reverse

from naboskap.concerns import services
from naboskap.concerns.models import Category, Concern, Policy
from naboskap.conftest import english
from naboskap.testing.factories import ProjectFactory, UnitFactory, make_concern

TEXT = "Knust glass på lekeplassen ved oppgang C, tredje kveld på rad."


@pytest.fixture
def open_limits(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def two_projects(world):
    """Lindeveien (property unit) and Solbakken (its own unit), both public; and a default
    unit for concerns about the area in general."""
    solbakken_unit = UnitFactory(municipality=world.municipality, name="Solbakken-teamet")
    solbakken = ProjectFactory(
        municipality=world.municipality,
        slug="solbakken",
        name="Solbakken",
        address="Solbakkvegen 4",
        responsible_unit=solbakken_unit,
    )
    general_unit = UnitFactory(municipality=world.municipality, name="Servicetorget")
    Policy.objects.create(municipality=world.municipality, default_unit=general_unit)
    services.categories_ensure_defaults(municipality=world.municipality)
    cache.clear()
    return solbakken, general_unit


def noise(world) -> Category:
    services.categories_ensure_defaults(municipality=world.municipality)
    return Category.objects.get(municipality=world.municipality, code="noise")


def form_data(world, **fields) -> dict:
    data = {
        "category": noise(world).pk,
        "description": TEXT,
        "location": "Lekeplassen",
        "occurred_at": "",
        "reporter_name": "Kari",
        "reporter_email": "",
        "reporter_phone": "",
        "preferred_channel": "email",
        "idempotency_key": secrets.token_urlsafe(24),
        "website": "",
    }
    data.update(fields)
    return data


# The right project, never a guess ----------------------------------------------------------


def test_meld_lists_projects_by_name_and_address_with_none_chosen(world, two_projects):
    solbakken, _unit = two_projects
    body = english().get(reverse("portal:report")).content.decode()
    radios = re.findall(r'<input[^>]*type="radio" name="project"[^>]*>', body)
    values = [re.search(r'value="([^"]+)"', radio).group(1) for radio in radios]
    assert values == [str(world.project.pk), str(solbakken.pk), "general"]
    assert not any("checked" in radio for radio in radios)
    assert "Solbakken, Solbakkvegen 4" in body
    assert "I don&#x27;t know / the area in general" in body


def test_a_report_about_solbakken_reaches_solbakkens_unit(world, two_projects, open_limits):
    solbakken, _unit = two_projects
    response = english().post(reverse("portal:report"), form_data(world, project=solbakken.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    concern = Concern.objects.get()
    assert concern.project == solbakken
    assert concern.assigned_unit == solbakken.responsible_unit
    assert concern.intake_channel == Concern.IntakeChannel.WEB


def test_the_area_in_general_reaches_the_default_unit(world, two_projects, open_limits):
    _solbakken, general_unit = two_projects
    client = english()
    response = client.post(reverse("portal:report"), form_data(world, project="general"))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.project is None and concern.municipality == world.municipality
    assert concern.assigned_unit == general_unit
    # The reporter's page and the staff's case page show it as the area in general.
    assert "The area in general" in client.get(response["Location"]).content.decode()
    coordinator = english(world.users["coordinator"])
    detail = coordinator.get(reverse("concerns:detail", args=[concern.pk]))
    assert detail.status_code == 200 and "The area in general" in detail.content.decode()
    # Project staff of Lindeveien do not reach it; the default unit's case handlers would.
    facility = english(world.users["facility_staff"])
    assert facility.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404


def test_not_choosing_keeps_everything_typed(world, two_projects, open_limits):
    response = english().post(reverse("portal:report"), form_data(world))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the project the concern is about" in body
    assert TEXT in body and 'value="Kari"' in body
    assert not Concern.objects.exists()


def test_a_projects_own_link_keeps_it_chosen_and_says_which(world, two_projects):
    solbakken, _unit = two_projects
    for url in (f"{reverse('portal:report')}?prosjekt=solbakken", "/prosjekter/solbakken/meld/"):
        body = english().get(url).content.decode()
        assert re.search(rf'value="{solbakken.pk}"[^>]*checked', body), url
        assert "Report a concern about Solbakken" in body
    # An unknown slug in the query string chooses nothing (and is no error).
    body = english().get(f"{reverse('portal:report')}?prosjekt=finnes-ikke").content.decode()
    radios = re.findall(r'<input[^>]*type="radio" name="project"[^>]*>', body)
    assert radios and "checked" not in "".join(radios)


# Nothing typed is lost ---------------------------------------------------------------------


@pytest.fixture
def one_write(settings):
    settings.PUBLIC_WRITE_RATE = "1/h"
    cache.clear()


def test_429_on_the_report_form_keeps_the_text(world, two_projects, one_write):
    world.municipality.phone = "+4755123456"
    world.municipality.save()
    client = english()
    first = client.post(reverse("portal:report"), form_data(world, project=world.project.pk))
    assert first.status_code == 302
    again = form_data(world, project="general", description="Andre gang: " + TEXT)
    response = client.post(reverse("portal:report"), again)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    body = response.content.decode()
    assert "Andre gang: " + TEXT in body and 'value="Kari"' in body
    assert re.search(r'value="general"[^>]*checked', body)
    assert "within an hour" in body and "wait a minute" not in body.lower()
    assert "choose them again" in body  # photos cannot be kept
    assert 'href="tel:+4755123456"' in body
    assert Concern.objects.count() == 1


def test_429_on_a_reply_keeps_the_text(world, one_write):
    concern = make_concern(world.project)
    client = english()
    url = reverse("portal:concern_reply", args=[concern.reference])
    assert client.post(url, {"t": concern.token, "body": "Første"}).status_code == 302
    response = client.post(url, {"t": concern.token, "body": "Det skjedde igjen i natt."})
    assert response.status_code == 429
    body = response.content.decode()
    assert "Det skjedde igjen i natt." in body and "within an hour" in body
    assert concern.messages.count() == 1


def test_429_on_a_subscription_keeps_the_address(world, one_write):
    client = english()
    url = reverse("portal:subscribe", args=[world.project.slug])
    assert client.post(url, {"email": "a@example.org"}).status_code == 200
    response = client.post(url, {"email": "nabo@example.org"})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'value="nabo@example.org"' in body and "within an hour" in body


def test_429_on_a_survey_keeps_the_answers(world, one_write):
    from naboskap.insights.tests.test_survey import answer_data, answer_url, make_round

    survey_round = make_round(world)
    client = english()
    assert client.post(answer_url(survey_round), answer_data(survey_round)).status_code == 200
    data = answer_data(survey_round, values=(2, 3, 1), text="Mørkt ved busstoppet om kvelden.")
    response = client.post(answer_url(survey_round), data)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Mørkt ved busstoppet om kvelden." in body and "within an hour" in body
    first = next(name for name in data if data[name] == "2")
    assert re.search(rf'name="{first}" value="2"[^>]*checked', body)
    assert survey_round.responses.count() == 1


def test_429_page_says_the_real_window(world, settings):
    from naboskap.portal.views import retry_text

    assert str(retry_text(3600)) == "within an hour"
    assert str(retry_text(60)) == "within a minute"
    assert str(retry_text(600)) == "within 10 minutes"
    assert str(retry_text(7200)) == "within 2 hours"
    assert str(retry_text(86400)) == "within a day"


# The short address of a receipt letter ------------------------------------------------------


def test_the_short_address_and_code_lead_to_the_follow_up_page(world, settings):
    settings.PUBLIC_WRITE_RATE = "2/h"
    cache.clear()
    concern = make_concern(world.project)
    other = make_concern(world.project)
    url = reverse("portal:concern_short", args=[concern.reference])
    assert url == f"/m/{concern.reference}/"
    client = english()
    page = client.get(url)
    assert page.status_code == 200 and "code from the receipt letter" in page.content.decode()
    wrong = client.post(url, {"code": other.short_code})
    assert wrong.status_code == 400
    assert "do not match" in wrong.content.decode()
    typed = concern.short_code.lower().replace("-", " ")
    right = client.post(url, {"code": typed})
    assert right.status_code == 302 and right["Location"] == concern.get_follow_up_url()
    # Guessing is limited: the third try within the hour is refused, even the right code.
    refused = client.post(url, {"code": concern.short_code})
    assert refused.status_code == 429 and "within an hour" in refused.content.decode()
    assert client.get(right["Location"]).status_code == 200


# Bad dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T12:00"])
def test_dates_out_of_range_on_the_public_form(world, two_projects, open_limits, value):
    data = form_data(world, project=world.project.pk, occurred_at=value)
    response = english().post(reverse("portal:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give a date between 1900 and 2100." in body and TEXT in body
    assert not Concern.objects.exists()


def test_dates_out_of_range_in_the_dashboard_filter(world):
    client = english(world.users["coordinator"])
    for query in ("?fra=9999-12-31&til=0001-01-01", "?fra=0001-01-01", "?til=9999-12-31"):
        response = client.get(reverse("insights:municipality_dashboard") + query)
        assert response.status_code == 400, query
        assert "Give a date between 1900 and 2100." in response.content.decode()
