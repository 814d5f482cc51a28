"""Reporting a concern and following it up, as a neighbour does: through HTTP, in English."""

import html
import io
import re
import secrets
from datetime import timedelta
from urllib.parse import quote

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from playwright.sync_api import expect

from naboskap.concerns import services
from naboskap.concerns.admin import CategoryAdmin
from naboskap.concerns.models import Category, Concern, Message, Photo, StatusChange
from naboskap.concerns.workflow import CancelReason, Status
from naboskap.conftest import english
from naboskap.projects import services as services_projects
from naboskap.testing.factories import ProjectFactory, make_concern, make_image

FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OK_OR_CLIENT_ERROR = {200, 301, 302, 400, 404, 405}
REFERENCE = re.compile(r"/melding/(\d{4}-\d{6})/\?t=([\w-]+)$")
# Each public request also pays for its rate limits (see test_pages.RATE_LIMIT_QUERIES).
RATE_LIMIT_QUERIES = 12


@pytest.fixture
def open_limits(settings):
    """Fuzzing sends hundreds of requests: rate limits are tested on their own."""
    settings.RATELIMIT_ENABLE = False


def category(municipality, code="noise") -> Category:
    services.categories_ensure_defaults(municipality=municipality)
    return Category.objects.get(municipality=municipality, code=code)


def report_data(world, **fields) -> dict:
    data = {
        "project": world.project.pk,
        "category": category(world.municipality).pk,
        "description": "Høy musikk fra hagen etter midnatt, flere kvelder på rad.",
        "location": "Hagen mot Lindeveien",
        "occurred_at": "",
        "reporter_name": "",
        "reporter_email": "",
        "reporter_phone": "",
        "preferred_channel": "email",
        "idempotency_key": secrets.token_urlsafe(24),
        "website": "",
    }
    data.update(fields)
    return data


def hidden_key(response) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]*)"', response.content.decode())
    assert match, "no idempotency key in the form"
    return match.group(1)


def follow_up_path(concern) -> str:
    return concern.get_follow_up_url()


def page(client, concern) -> str:
    response = client.get(follow_up_path(concern))
    assert response.status_code == 200
    return response.content.decode()


def move(concern, *statuses):
    for status in statuses:
        extra = {}
        if status == Status.ANSWERED:
            extra["answer"] = "Vi har snakket med botiltaket, og de følger opp."
        if status == Status.CANCELLED:
            extra["cancel_reason"] = CancelReason.DUPLICATE
        services.concern_transition(concern=concern, to_status=status, by=None, **extra)
    concern.refresh_from_db()
    return concern


# The form ---------------------------------------------------------------------------------


def test_report_page_warns_explains_and_gives_a_fresh_key(world, client_en):
    assert not Category.objects.filter(municipality=world.municipality).exists()
    response = client_en.get(reverse("portal:report"))
    assert response.status_code == 200
    body = response.content.decode()
    # The emergency notice comes before the form.
    notice = body.index('id="emergency-notice"')
    assert notice < body.index('<form method="post" class="form-stack"')
    assert 'data-color="danger"' in body[notice - 60 : notice]
    assert 'href="tel:112"' in body and 'href="tel:02800"' in body
    assert "Describe what happened, not who the residents are." in body
    assert "Nothing you write is published." in body
    assert "Your contact details are optional." in body
    # The municipality gets its default categories on first use, shown as a radio group.
    assert Category.objects.filter(municipality=world.municipality).count() == 7
    assert "Noise" in body or "Støy" in body
    assert 'type="radio" name="category"' in body
    # The honeypot is in the form, hidden off-screen and from screen readers.
    assert re.search(r'<div class="honeypot" aria-hidden="true">\s*<div class="ds-field">', body)
    assert 'name="website"' in body and 'tabindex="-1"' in body
    # A fresh, unguessable idempotency key for each form; no shared cache keeps the page.
    first, second = hidden_key(response), hidden_key(client_en.get(reverse("portal:report")))
    assert len(first) == 32 and first != second
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    # Only public projects of this municipality can be chosen.
    ProjectFactory(municipality=world.municipality, name="Utkastveien", visibility="draft")
    body = client_en.get(reverse("portal:report")).content.decode()
    assert world.project.name in body
    assert "Utkastveien" not in body and world.other_project.name not in body


def test_project_report_page_has_the_project_chosen(world, client_en):
    response = client_en.get(reverse("portal:project_report", args=[world.project.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Report a concern about {world.project.name}" in body
    assert re.search(rf'value="{world.project.pk}"[^>]*checked', body)
    assert client_en.get("/prosjekter/annenvei/meld/").status_code == 404
    draft = ProjectFactory(municipality=world.municipality, slug="utkast", visibility="draft")
    assert client_en.get(f"/prosjekter/{draft.slug}/meld/").status_code == 404


def not_cache(queries) -> list[str]:
    """The statements of a request other than the database cache's own (with Redis, those
    are no statements at all)."""
    return [q["sql"] for q in queries if "naboskap_cache" not in q["sql"]]


def test_the_form_comes_from_the_cache_with_a_key_and_token_of_its_own(world, open_limits):
    url = reverse("portal:project_report", args=[world.project.slug])
    category(world.municipality)  # the default categories exist
    Client().get(url)  # renders, and fills the cache
    visitors = [Client(enforce_csrf_checks=True) for _n in range(2)]
    keys = []
    for visitor in visitors:
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get(url)
        assert response.status_code == 200
        assert not_cache(queries) == []  # the municipality and the page: all from the cache
        assert "private" in response["Cache-Control"]
        keys.append(hidden_key(response))
        assert "placeholder" not in response.content.decode()
    assert keys[0] != keys[1]
    # The cached page's CSRF token is each visitor's own: sending the form works.
    body = visitors[0].get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    data = report_data(world, idempotency_key=hidden_key(visitors[0].get(url)))
    response = visitors[0].post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and REFERENCE.search(response["Location"])
    # With a message waiting (the thank-you), the page is rendered for this visitor.
    assert "Takk! Meldingen din har referansen" in visitors[0].get(url).content.decode()


def test_a_submission_takes_at_most_twelve_queries(world, client_en, open_limits):
    url = reverse("portal:report")
    client_en.post(url, report_data(world))  # the year's reference counter now exists
    data = report_data(world, reporter_email="nabo@example.org")
    with CaptureQueriesContext(connection) as queries:
        response = client_en.post(url, data)
    assert response.status_code == 302
    statements = not_cache(queries)
    assert len(statements) <= 12, "\n".join(statements)
    concern = Concern.objects.latest("pk")
    assert concern.reporter_email == "nabo@example.org" and concern.assigned_unit is not None
    # The history has the creation; the audit log keeps no entry (and no IP address) of it.
    assert list(concern.history.values_list("to_status", flat=True)) == [Status.RECEIVED]
    assert not LogEntry.objects.get_for_object(concern).exists()


def test_changed_categories_and_projects_reach_the_cached_form(world, client_en):
    url = reverse("portal:report")
    noise = category(world.municipality)
    assert "Noise" in client_en.get(url).content.decode()
    noise.name_en = "Loud noise"
    noise.save()
    # Saved outside the admin: the cached form does not know yet.
    assert "Loud noise" not in client_en.get(url).content.decode()
    CategoryAdmin(Category, admin.site).save_model(None, noise, None, change=True)
    assert "Loud noise" in client_en.get(url).content.decode()
    services_projects.project_edit(project=world.project, name="Lindeveien 12")
    assert "Lindeveien 12" in client_en.get(url).content.decode()


def test_category_names_follow_the_language(world, client_en):
    services.categories_ensure_defaults(municipality=world.municipality)
    traffic = Category.objects.get(municipality=world.municipality, code="traffic")
    assert (traffic.name, traffic.name_en) == ("Trafikk og parkering", "Traffic and parking")
    traffic.name_nn = "Trafikk og parkering (nynorsk)"
    traffic.save()
    bokmal = Client(HTTP_ACCEPT_LANGUAGE="nb")
    assert "Trafikk og parkering" in bokmal.get(reverse("portal:report")).content.decode()
    nynorsk = Client()
    nynorsk.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    assert (
        "Trafikk og parkering (nynorsk)" in nynorsk.get(reverse("portal:report")).content.decode()
    )
    assert "Traffic and parking" in client_en.get(reverse("portal:report")).content.decode()
    # A name left empty falls back to bokmål.
    traffic.name_en = ""
    with translation.override("en"):
        assert traffic.label == "Trafikk og parkering"


def test_references_count_on_per_municipality_and_year(world):
    first = make_concern(world.project)
    second = make_concern(world.project)
    other = make_concern(world.other_project)
    year = timezone.localdate().year
    assert first.reference == f"{year}-000001" and second.reference == f"{year}-000002"
    assert other.reference == f"{year}-000001"


def test_public_pages_link_to_the_form(world, client_en):
    project_page = client_en.get(world.project.get_public_url()).content.decode()
    assert reverse("portal:project_report", args=[world.project.slug]) in project_page
    assert "Report a concern" in project_page
    home = client_en.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:report")}"' in home


@pytest.mark.django_db(transaction=True)
def test_report_with_email_receipt_and_follow_up(world, tasks):
    client = english()
    data = report_data(world, reporter_email="nabo@example.org", reporter_name="Nora Nabo")
    response = client.post(reverse("portal:report"), data)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    match = REFERENCE.search(response["Location"])
    assert match, response["Location"]
    reference, token = match.groups()
    year = timezone.localdate().year
    assert reference == f"{year}-000001"
    concern = Concern.objects.get()
    assert (concern.reference, concern.token) == (reference, token)
    assert concern.language == "en"
    assert concern.project == world.project and concern.description == data["description"]

    followed = client.get(response["Location"])
    assert followed.status_code == 200
    body = followed.content.decode()
    with translation.override("en"):
        due = date_format(concern.answer_due)
    assert f"Your report has the reference {reference}" in body
    assert f"We will answer by {due}" in body
    assert "Bookmark this page" in body
    assert "We have also sent the link to your email address." in body
    assert f'<h1 class="ds-heading" data-size="lg">Your report {reference}</h1>' in body
    assert "We have received your report." in body  # status in plain language
    assert '<li data-state="current" aria-current="step">' in body
    assert '<meta name="robots" content="noindex' in body
    assert "no-store" in followed["Cache-Control"]
    # No referrer ever carries the token (`no-referrer` would break the page's forms: the
    # browser then sends `Origin: null`, which the CSRF check refuses).
    assert followed["Referrer-Policy"] == "strict-origin"
    # The contact details are not shown back, only that we have them.
    assert "nabo@example.org" not in body and "Nora Nabo" not in body
    assert "We have your name, your email address." in body

    # The receipt: sent by the worker, with an absolute link that opens the page.
    assert not [m for m in mail.outbox if m.to == ["nabo@example.org"]]
    tasks()
    receipts = [m for m in mail.outbox if m.to == ["nabo@example.org"]]
    assert len(receipts) == 1
    receipt = receipts[0]
    assert reference in receipt.subject
    assert data["description"] not in receipt.body  # what was written stays in Naboskap
    link = re.search(r"https?://\S+/melding/\S+", receipt.body).group(0)
    assert link.startswith("http://") and link.endswith(f"/melding/{reference}/?t={token}")
    path = re.sub(r"^https?://[^/]+", "", link)
    assert Client().get(path).status_code == 200

    # The same key again (a double click, a retry): nothing new, the same report.
    again = client.post(reverse("portal:report"), data)
    assert again.status_code == 302
    assert again["Location"] == response["Location"]
    assert Concern.objects.count() == 1
    assert StatusChange.objects.count() == 1
    body = client.get(again["Location"]).content.decode()
    assert f"You had already sent this report. Here it is again: reference {reference}" in body
    tasks()
    assert len([m for m in mail.outbox if m.to == ["nabo@example.org"]]) == 1


def test_anonymous_report_keeps_its_link(world, client_en):
    data = report_data(world, preferred_channel="email")
    response = client_en.post(
        reverse("portal:project_report", args=[world.project.slug]), data, follow=True
    )
    assert response.status_code == 200
    concern = Concern.objects.get()
    assert not concern.has_contact
    assert concern.preferred_channel == Concern.Channel.NONE
    body = response.content.decode()
    assert "Bookmark this page" in body
    assert "You did not give any contact details." in body
    assert "We have also sent the link" not in body
    assert 'id="private-link"' in body
    assert html.escape(f"http://testserver{concern.get_follow_up_url()}") in body
    assert "Delete my contact details" not in body


def test_report_under_another_municipalitys_prefix(world, client_en):
    data = report_data(
        world,
        project=world.other_project.pk,
        category=category(world.other_municipality).pk,
    )
    response = client_en.post("/k/annenby/meld/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/k/annenby/melding/")
    concern = Concern.objects.get()
    assert concern.municipality == world.other_municipality
    assert client_en.get(response["Location"]).status_code == 200


# Bad input ------------------------------------------------------------------------------


def other_category(world):
    return category(world.other_municipality).pk


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "This field is required."),
        (
            {"description": "Støy " + "x" * 4996},
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
        ({"reporter_email": "nabo@"}, "Enter a valid email address."),
        ({"reporter_phone": "12"}, "Enter a valid phone number"),
        ({"preferred_channel": "phone"}, "Give a phone number, or choose email."),
        ({"project": "other"}, "Select a valid choice"),
        ({"category": "other"}, "Select a valid choice"),
        ({"occurred_at": "i går kveld"}, "Enter a valid date/time."),
        ({"description": "Med\x00null"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_explained_and_kept(world, client_en, fields, message):
    if fields.get("project") == "other":
        fields["project"] = world.other_project.pk
    if fields.get("category") == "other":
        fields["category"] = other_category(world)
    data = report_data(world, **fields)
    data["location"] = "Ved <b>lekeplassen</b> & busstoppet"
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the following" in body
    assert message in body
    assert html.escape(data["location"]) in body  # what was typed is still in the form
    assert "<b>lekeplassen</b>" not in body  # and no HTML is taken as HTML
    if "\x00" not in data["description"]:
        assert html.escape(data["description"]) in body
    assert not Concern.objects.exists()


def test_honeypot_stores_nothing_and_a_person_can_still_send(world, client_en):
    data = report_data(world, website="https://spam.example")
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your report was not sent. Please check the form and send it again." in body
    assert not Concern.objects.exists()
    # The form comes back with the description kept, the honeypot emptied and a new key, so
    # a person whose browser filled the hidden field in can simply send again.
    assert html.escape(data["description"]) in body
    assert "spam.example" not in body
    key = hidden_key(response)
    assert key != data["idempotency_key"] and len(key) == 32
    resent = client_en.post(
        reverse("portal:report"), {**data, "website": "", "idempotency_key": key}
    )
    assert resent.status_code == 302
    assert Concern.objects.count() == 1


@pytest.mark.parametrize("key", ["", "kort", "x" * 65, "med mellomrom og æøå 1234567890"])
def test_a_missing_or_guessable_key_is_refused(world, client_en, key):
    response = client_en.post(reverse("portal:report"), report_data(world, idempotency_key=key))
    assert response.status_code == 400
    assert "Your report was not sent." in response.content.decode()
    assert len(hidden_key(response)) == 32
    assert not Concern.objects.exists()


def test_submission_is_rate_limited(world, client_en):
    for n in range(10):
        url = (
            reverse("portal:report")
            if n % 2
            else reverse("portal:project_report", args=[world.project.slug])
        )
        assert client_en.post(url, report_data(world)).status_code == 302
    data = report_data(world, description="Den ellevte meldingen denne timen.")
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 429
    # Refused, with everything typed still in the form and when to send it again (issue 16).
    assert "Den ellevte meldingen denne timen." in response.content.decode()
    assert "within an hour" in response.content.decode()
    assert (
        client_en.post(
            reverse("portal:project_report", args=[world.project.slug]), data
        ).status_code
        == 429
    )
    assert Concern.objects.count() == 10
    # Reading still works, and so does another address.
    assert client_en.get(reverse("portal:report")).status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.77")
    assert other.post(reverse("portal:report"), data).status_code == 302


# The follow-up page ---------------------------------------------------------------------


def test_follow_up_needs_the_right_token(world, client_en):
    concern = make_concern(world.project)
    url = reverse("portal:concern_follow_up", args=[concern.reference])
    assert client_en.get(f"{url}?t={concern.token}").status_code == 200
    assert client_en.get(url).status_code == 404
    assert client_en.get(f"{url}?t=").status_code == 404
    assert client_en.get(f"{url}?t={concern.token[:-1]}").status_code == 404
    assert client_en.get(f"{url}?t={secrets.token_urlsafe(32)}").status_code == 404
    # References are per municipality: Annenby's first report has the same reference, and is
    # reached only within Annenby, with its own token.
    theirs = make_concern(world.other_project)
    assert theirs.reference == concern.reference
    assert client_en.get(f"{url}?t={theirs.token}").status_code == 404
    assert client_en.get(f"/k/annenby{url}?t={theirs.token}").status_code == 200
    assert client_en.get(f"/k/annenby{url}?t={concern.token}").status_code == 404
    # Anything that is not a reference is not found, without a lookup.
    for bad in ["2026-12", "abcd-000001", "2026-0000001", "٢٠٢٦-٠٠٠٠٠١", "1;drop"]:
        response = client_en.get(f"/melding/{quote(bad)}/?t={concern.token}")
        assert response.status_code == 404, bad


def test_internal_notes_never_reach_the_reporter(world, client_en):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    coordinator = world.users["coordinator"]
    services.note_add(concern=concern, body="INTERN: beboer i leilighet 3 er kjent", author=None)
    services.message_send(concern=concern, body="Vi har tatt kontakt med botiltaket.", author=None)
    services.reporter_reply(concern=concern, body="Det skjedde igjen i natt.")
    services.note_add(concern=concern, body="INTERN: ring politiet", author=coordinator)
    body = page(client_en, concern)
    assert "INTERN" not in body
    assert "Vi har tatt kontakt med botiltaket." in body
    assert "Det skjedde igjen i natt." in body
    assert body.index("Vi har tatt kontakt") < body.index("Det skjedde igjen")
    assert "From the municipality" in body and "From you" in body
    assert coordinator.get_full_name() not in body and coordinator.username not in body


def test_reply_moves_a_waiting_case_on(world, client_en):
    concern = move(make_concern(world.project), Status.ACKNOWLEDGED, Status.WAITING)
    services.message_send(concern=concern, body="Hvilken dag skjedde det?", author=None)
    assert "We have asked you a question. Please answer below." in page(client_en, concern)
    url = reverse("portal:concern_reply", args=[concern.reference])
    response = client_en.post(url, {"t": concern.token, "body": "Det var fredag kveld."})
    assert response.status_code == 302
    assert response["Location"] == concern.get_follow_up_url()
    concern.refresh_from_db()
    assert concern.status == Status.IN_PROGRESS
    change = StatusChange.objects.filter(concern=concern).last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.WAITING,
        Status.IN_PROGRESS,
        None,
    )
    body = page(client_en, concern)
    assert "Your message has been added to the case." in body
    assert "Det var fredag kveld." in body
    assert "We are working on it." in body


def test_reply_refuses_bad_input_and_keeps_the_text(world, client_en):
    concern = make_concern(world.project)
    url = reverse("portal:concern_reply", args=[concern.reference])
    response = client_en.post(url, {"t": concern.token, "body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    long_text = "Lang <melding> " + "x" * 5000
    response = client_en.post(url, {"t": concern.token, "body": long_text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at most 5000 characters" in body
    assert html.escape(long_text) in body
    assert not Message.objects.filter(concern=concern).exists()
    # Without the token, or with a wrong one, nothing is found; GET is not an action.
    assert client_en.post(url, {"body": "Hei"}).status_code == 404
    assert client_en.post(url, {"t": "feil", "body": "Hei"}).status_code == 404
    assert client_en.get(f"{url}?t={concern.token}").status_code == 405
    assert not Message.objects.filter(concern=concern).exists()


def test_a_closed_case_takes_no_replies(world, client_en):
    concern = move(make_concern(world.project), Status.ACKNOWLEDGED, Status.ANSWERED)
    assert 'action="' + reverse("portal:concern_reply", args=[concern.reference]) not in page(
        client_en, concern
    )
    url = reverse("portal:concern_reply", args=[concern.reference])
    response = client_en.post(url, {"t": concern.token, "body": "En ting til."})
    assert response.status_code == 400
    assert "The case is closed." in response.content.decode()
    assert not Message.objects.filter(kind=Message.Kind.FROM_REPORTER).exists()


def test_reporter_erases_their_contact_details(world, client_en):
    concern = make_concern(
        world.project,
        reporter_name="Nora Nabo",
        reporter_email="nabo@example.org",
        reporter_phone="+4799999999",
    )
    body = page(client_en, concern)
    assert "We have your name, your email address, your phone number." in body
    assert "nabo@example.org" not in body and "99 99 99 99" not in body
    assert "This cannot be undone." in body
    url = reverse("portal:concern_erase_contact", args=[concern.reference])
    assert client_en.post(url, {"t": "feil"}).status_code == 404
    response = client_en.post(url, {"t": concern.token}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your contact details have been deleted." in body
    assert "Delete my contact details" not in body
    concern.refresh_from_db()
    assert (concern.reporter_name, concern.reporter_email, str(concern.reporter_phone)) == (
        "",
        "",
        "",
    )
    assert concern.preferred_channel == Concern.Channel.NONE
    assert concern.contact_erased_at is not None
    assert "Your contact details were deleted on" in page(client_en, concern)
    # Again: nothing to do, no error.
    assert client_en.post(url, {"t": concern.token}).status_code == 302


def test_satisfaction_only_after_an_answer(world, client_en):
    concern = make_concern(world.project)
    url = reverse("portal:concern_satisfaction", args=[concern.reference])
    assert 'name="score"' not in page(client_en, concern)
    response = client_en.post(url, {"t": concern.token, "score": "5", "comment": "Bra"})
    assert response.status_code == 400
    assert "You can rate the handling once the case is answered." in response.content.decode()
    concern.refresh_from_db()
    assert concern.satisfaction is None

    move(concern, Status.ACKNOWLEDGED, Status.ANSWERED)
    body = page(client_en, concern)
    assert "We have answered. Read the answer below." in body
    assert "Vi har snakket med botiltaket" in body
    assert 'name="score"' in body
    assert "How satisfied are you with how we handled your report?" in body

    response = client_en.post(url, {"t": concern.token, "score": "9", "comment": "Hm"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Hm</textarea>" in response.content.decode()

    response = client_en.post(url, {"t": concern.token, "score": "4", "comment": "Raskt svar."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.satisfaction, concern.satisfaction_comment) == (4, "Raskt svar.")
    body = page(client_en, concern)
    assert "Thank you for telling us what you think." in body
    assert 'name="score"' not in body
    # Given once: a second answer changes nothing.
    client_en.post(url, {"t": concern.token, "score": "1"})
    concern.refresh_from_db()
    assert concern.satisfaction == 4


def test_reopen_within_fourteen_days(world, client_en):
    concern = move(make_concern(world.project), Status.ACKNOWLEDGED, Status.ANSWERED)
    move(concern, Status.CLOSED)
    body = page(client_en, concern)
    assert "The case is closed." in body
    assert "Ask us to reopen the case" in body
    url = reverse("portal:concern_reopen", args=[concern.reference])
    assert client_en.post(url, {"t": concern.token, "reason": ""}).status_code == 400
    response = client_en.post(url, {"t": concern.token, "reason": "Det er like ille nå."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.IN_PROGRESS and concern.closed_at is None
    body = page(client_en, concern)
    assert "The case is open again." in body
    assert "Det er like ille nå." in body


def test_reopen_after_fourteen_days_is_refused(world, client_en):
    concern = move(make_concern(world.project), Status.ACKNOWLEDGED, Status.ANSWERED)
    move(concern, Status.CLOSED)
    Concern.objects.filter(pk=concern.pk).update(closed_at=timezone.now() - timedelta(days=15))
    assert "Ask us to reopen the case" not in page(client_en, concern)
    url = reverse("portal:concern_reopen", args=[concern.reference])
    response = client_en.post(url, {"t": concern.token, "reason": "Det skjer fortsatt."})
    assert response.status_code == 400
    assert "The case can no longer be reopened. Send a new report instead." in (
        response.content.decode()
    )
    concern.refresh_from_db()
    assert concern.status == Status.CLOSED
    assert not Message.objects.filter(kind=Message.Kind.FROM_REPORTER).exists()


def test_a_cancelled_case_says_so_without_progress_steps(world, client_en):
    concern = move(make_concern(world.project), Status.CANCELLED)
    body = page(client_en, concern)
    assert "The case is closed without further follow-up." in body
    assert "progress-steps" not in body
    assert "Ask us to reopen the case" not in body


def test_progress_steps_mark_the_current_one(world, client_en):
    concern = move(make_concern(world.project), Status.ACKNOWLEDGED, Status.IN_PROGRESS)
    body = page(client_en, concern)
    steps = re.findall(r'<li data-state="(\w+)"( aria-current="step")?>', body)
    assert steps == [
        ("done", ""),
        ("done", ""),
        ("current", ' aria-current="step"'),
        ("todo", ""),
        ("todo", ""),
    ]
    assert "Now:" in body and "Done:" in body and "Not yet:" in body  # not colour alone


def test_follow_up_actions_are_rate_limited(world, client_en):
    concern = make_concern(world.project)
    url = reverse("portal:concern_reply", args=[concern.reference])
    for n in range(10):
        assert client_en.post(url, {"t": concern.token, "body": f"Melding {n}"}).status_code == 302
    response = client_en.post(url, {"t": concern.token, "body": "Den ellevte"})
    assert response.status_code == 429
    assert Message.objects.filter(concern=concern).count() == 10


@pytest.mark.parametrize("count", [1, 200])
def test_follow_up_page_queries_do_not_grow_with_messages(
    world, client_en, count, django_assert_max_num_queries
):
    concern = make_concern(world.project)
    Message.objects.bulk_create(
        Message(concern=concern, kind=kind, body=f"Melding {n}")
        for n in range(count)
        for kind in [Message.Kind.TO_REPORTER, Message.Kind.INTERNAL]
    )
    # Municipality, concern (with project and category), messages.
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 3):
        response = client_en.get(concern.get_follow_up_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="conversation__item"') == count


# Fuzzing ----------------------------------------------------------------------------------

FORM_FIELDS = [
    "project",
    "category",
    "description",
    "location",
    "occurred_at",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "preferred_channel",
    "idempotency_key",
    "website",
]


def consistent():
    """Nothing half-way: every concern has its first history row and a reference."""
    assert Concern.objects.count() == StatusChange.objects.filter(from_status="").count()
    assert not Concern.objects.filter(reference="").exists()


@FUZZ
@given(
    fuzzed=st.dictionaries(st.sampled_from(FORM_FIELDS), st.text(max_size=300)),
    extra=st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=3),
    valid_key=st.booleans(),
)
def test_fuzz_report_form(world, open_limits, fuzzed, extra, valid_key):
    data = {**extra, **report_data(world), **fuzzed}
    if valid_key:
        data["idempotency_key"] = secrets.token_urlsafe(24)
    before = Concern.objects.count()
    response = Client().post(reverse("portal:report"), data)
    assert response.status_code in {302, 400}
    after = Concern.objects.count()
    assert after == before + (1 if response.status_code == 302 else 0)
    consistent()


@FUZZ
@given(
    action=st.sampled_from(["svar", "kontaktinfo/slett", "vurdering", "gjenapne"]),
    reference=st.one_of(st.just("real"), st.text(min_size=1, max_size=30)),
    token=st.one_of(st.just("real"), st.text(max_size=80)),
    data=st.dictionaries(
        st.sampled_from(["body", "score", "comment", "reason"]), st.text(max_size=300)
    ),
    status=st.sampled_from([Status.RECEIVED, Status.WAITING, Status.ANSWERED, Status.CLOSED]),
)
def test_fuzz_follow_up_actions(world, open_limits, action, reference, token, data, status):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    path = {
        Status.RECEIVED: [],
        Status.WAITING: [Status.ACKNOWLEDGED, Status.WAITING],
        Status.ANSWERED: [Status.ACKNOWLEDGED, Status.ANSWERED],
        Status.CLOSED: [Status.ACKNOWLEDGED, Status.ANSWERED, Status.CLOSED],
    }[status]
    move(concern, *path)
    reference = concern.reference if reference == "real" else reference
    token = concern.token if token == "real" else token
    messages_before = Message.objects.count()
    url = f"/melding/{quote(reference, safe='')}/{action}/"
    response = Client().post(url, {**data, "t": token})
    assert response.status_code in OK_OR_CLIENT_ERROR
    get = Client().get(f"/melding/{quote(reference, safe='')}/", {"t": token})
    assert get.status_code in {200, 404}
    added = Message.objects.count() - messages_before
    if response.status_code != 302 or action in {"kontaktinfo/slett", "vurdering"}:
        assert added == 0
    else:
        assert added == 1
    consistent()


# Photos -----------------------------------------------------------------------------------


def photo_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def png_bomb() -> bytes:
    """7000 × 7000 pixels in a few kB: refused from its header, never decoded."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, "PNG")
    return out.getvalue()


def image_upload(name="bilde.jpg", fmt="JPEG", content_type="image/jpeg", data=None):
    return SimpleUploadedFile(name, data or make_image(fmt), content_type=content_type)


def test_the_form_takes_photos(world, client_en, settings):
    body = client_en.get(reverse("portal:report")).content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<input[^>]* type="file" name="photos"[^>]*multiple', body)
    assert 'accept="image/jpeg,image/png"' in body
    assert "Up to 5 photos, JPEG or PNG, at most 10 MB each." in body
    data = report_data(world)
    data["photos"] = [image_upload(), image_upload("skisse.png", "PNG", "image/png")]
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert [p.content_type for p in concern.photos.all()] == ["image/jpeg", "image/png"]
    assert len(photo_files(settings)) == 2
    # A retry with the same key: no second concern, no extra photos.
    data["photos"] = [image_upload()]
    retry = client_en.post(reverse("portal:report"), data)
    assert retry.status_code == 302
    assert Concern.objects.count() == 1 and Photo.objects.count() == 2
    assert len(photo_files(settings)) == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: image_upload("anim.gif", "GIF", "image/gif"),
            "“anim.gif” is not a JPEG or PNG photo.",
        ),
        (
            lambda: SimpleUploadedFile("side.jpg", b"<html>hei</html>", "image/jpeg"),
            "“side.jpg” is not a JPEG or PNG photo.",
        ),
        (lambda: "six", "You can attach at most 5 photos."),
        (lambda: "large", "“stor.jpg” is larger than 1 MB."),
        (
            lambda: image_upload("bombe.png", "PNG", "image/png", data=png_bomb()),
            "“bombe.png” has too many pixels to be checked. Send the photo as the camera saved "
            "it (JPEG), or a smaller picture.",
        ),
    ],
)
def test_refused_photos_are_explained_and_the_text_kept(
    world, client_en, settings, upload, message
):
    settings.CONCERN_PHOTO_MAX_BYTES = 1024 * 1024
    files = upload()
    if files == "six":
        files = [image_upload(f"{n}.jpg") for n in range(6)]
    elif files == "large":
        files = [image_upload("stor.jpg", data=make_image() + b"\0" * 1024 * 1024)]
    else:
        files = [image_upload(), files]
    data = report_data(world, location="Ved <b>lekeplassen</b>")
    data["photos"] = files
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert html.escape(message) in body or message in body
    assert "Choose the photos again." in body
    assert 'id="id_photos_error"' in body
    assert html.escape(data["description"]) in body
    assert html.escape(data["location"]) in body
    assert not Concern.objects.exists() and not Photo.objects.exists()
    assert photo_files(settings) == []


def test_good_photos_must_be_chosen_again_when_another_field_is_wrong(world, client_en):
    data = report_data(world, description="")
    data["photos"] = [image_upload()]
    response = client_en.post(reverse("portal:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "Choose the photos again." in body
    assert not Photo.objects.exists()


def uploadable_name(name: str) -> bool:
    """A name the test client can send (the server copes with any)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "\x00" not in name and base not in {"", ".", ".."}


@FUZZ
@given(
    files=st.lists(
        st.tuples(
            st.text(min_size=1, max_size=40).filter(uploadable_name),
            st.one_of(
                st.binary(max_size=2000),
                st.sampled_from(["JPEG", "PNG", "GIF"]).map(make_image),
                st.binary(max_size=200).map(lambda tail: make_image("PNG")[:60] + tail),
            ),
            st.sampled_from(["image/jpeg", "image/png", "text/html", "application/octet-stream"]),
        ),
        max_size=7,
    ),
)
def test_fuzz_report_form_files(world, open_limits, settings, files):
    data = report_data(world)
    data["photos"] = [SimpleUploadedFile(n, b, content_type=t) for n, b, t in files]
    response = Client().post(reverse("portal:report"), data)
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert not Concern.objects.filter(idempotency_key=data["idempotency_key"]).exists()
    stored = sum(c.photos.count() for c in Concern.objects.all())
    assert Photo.objects.count() == stored == len(photo_files(settings))
    consistent()


# In the browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_and_follow_up_in_the_browser(world, visitor):
    """axe-core finds nothing on the form, its errors, and the follow-up page."""
    page = visitor.open(reverse("portal:project_report", args=[world.project.slug]))
    # The honeypot is off-screen and out of the tab order.
    box = page.locator("#id_website").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    assert page.locator("#id_website").get_attribute("tabindex") == "-1"

    # Sent without a description: the error summary takes focus, the field is marked.
    page.locator("#id_category_0").check()
    page.locator("#id_location").fill("Lekeplassen")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    # Chromium applies autofocus at its next rendering step, which may come after "load".
    expect(page.locator(".ds-error-summary")).to_be_focused()
    assert page.locator("#id_description").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_location").input_value() == "Lekeplassen"
    visitor.audit()

    page.locator("#id_description").fill("Glass knust ved lekeplassen i kveld.")
    page.locator("#id_reporter_email").fill(f"nabo-{visitor.language}@example.org")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    concern = Concern.objects.get()
    page.wait_for_url(f"**{reverse('portal:concern_follow_up', args=[concern.reference])}**")
    assert page.locator(".messages [data-color=success]").is_visible()
    assert page.locator("h1").inner_text().endswith(concern.reference)
    assert page.locator(".progress-steps [aria-current=step]").count() == 1
    visitor.audit()

    page.locator("#id_body").fill("Det var rundt klokka ti.")
    with page.expect_navigation():
        page.locator(
            f"form[action='{reverse('portal:concern_reply', args=[concern.reference])}'] button"
        ).click()
    assert page.locator(".conversation__item").count() == 1
    visitor.audit()

    move(concern, Status.ACKNOWLEDGED, Status.ANSWERED)
    page = visitor.open(concern.get_follow_up_url())
    assert page.locator("input[name=score]").count() == 5
    visitor.assert_no_problems()
