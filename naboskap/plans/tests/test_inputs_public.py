"""Inputs as the public meets them: the suggestion form on a project's page, and the page
"Du sa – vi gjorde" with what was decided. Through HTTP, in English."""

import html
import secrets

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.plans import services
from naboskap.plans.models import Input, Measure
from naboskap.portal.tests.test_concerns import hidden_key
from naboskap.projects.models import Project

FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Each public request also pays for its rate limits (see portal/tests/test_pages.py).
RATE_LIMIT_QUERIES = 12


@pytest.fixture
def open_limits(settings):
    """Fuzzing sends hundreds of requests: rate limits are tested on their own."""
    settings.RATELIMIT_ENABLE = False


def suggest_url(world) -> str:
    return reverse("portal:input_suggest", args=[world.project.slug])


def you_said_url(world) -> str:
    return reverse("portal:you_said", args=[world.project.slug])


def form_data(**fields) -> dict:
    data = {
        "text": "Kan det bli flere benker langs stien bak skolen?",
        "theme": "Uteområdet",
        "contact_email": "",
        "idempotency_key": secrets.token_urlsafe(24),
        "website": "",
    }
    data.update(fields)
    return data


def published(world, public_text: str, **fields) -> Input:
    input = services.input_register(
        project=world.project,
        created_by=None,
        text=fields.pop("text", "Intern tekst som aldri vises"),
        origin=fields.pop("origin", Input.Origin.MEETING),
        **fields,
    )
    services.input_publish(input=input, public_text=public_text)
    return input


def test_the_project_page_links_to_the_form_and_the_page(world, client_en):
    body = client_en.get(world.project.get_public_url()).content.decode()
    assert suggest_url(world) in body and you_said_url(world) in body
    form = client_en.get(suggest_url(world))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Do not write about the residents" in page
    assert "never published" in page
    assert len(hidden_key(form)) == 32


def test_a_suggestion_waits_for_moderation(world, client_en):
    data = form_data(contact_email="nabo@example.org", text="Benker ved <b>stien</b>, takk")
    response = client_en.post(suggest_url(world), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:input_thanks", args=[world.project.slug])
    thanks = client_en.get(response["Location"]).content.decode()
    assert "Thank you for your suggestion" in thanks
    input = Input.objects.get()
    assert (input.origin, input.moderation, input.text, input.theme, input.contact_email) == (
        "public_form",
        "pending",
        "Benker ved <b>stien</b>, takk",
        "Uteområdet",
        "nabo@example.org",
    )
    assert input.created_by is None and input.from_whom == ""
    # Nothing of it is public.
    body = client_en.get(you_said_url(world)).content.decode()
    assert "stien" not in body and "nabo@example.org" not in body
    assert "Nothing is published here yet." in body


def test_sending_the_same_form_twice_stores_one_suggestion(world, client_en):
    data = form_data()
    assert client_en.post(suggest_url(world), data).status_code == 302
    response = client_en.post(suggest_url(world), data, follow=True)
    assert "You had already sent this suggestion." in response.content.decode()
    assert Input.objects.count() == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"text": ""}, "This field is required."),
        ({"text": "x" * 2001}, "Ensure this value has at most 2000 characters"),
        ({"contact_email": "ikke en epost"}, "Enter a valid email address."),
        ({"theme": "t" * 101}, "Ensure this value has at most 100 characters"),
        ({"text": "Med\x00null"}, "Null characters are not allowed."),
        ({"website": "https://spam.example"}, "Your suggestion was not sent."),
        ({"idempotency_key": "kort"}, "Your suggestion was not sent."),
    ],
)
def test_bad_input_is_explained_and_kept(world, client_en, fields, message):
    data = form_data(**fields)
    data["theme"] = data["theme"] if "theme" in fields else "Ved <b>skolen</b> & stien"
    response = client_en.post(suggest_url(world), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the following" in body
    assert message in body
    assert html.escape(data["theme"]) in body  # what was typed is still in the form
    assert "<b>skolen</b>" not in body
    assert "spam.example" not in body
    assert len(hidden_key(response)) == 32 and hidden_key(response) != data["idempotency_key"]
    assert not Input.objects.exists()


def test_suggestions_are_rate_limited_and_the_text_is_kept(world, client_en):
    for _ in range(10):
        assert client_en.post(suggest_url(world), form_data()).status_code == 302
    data = form_data(text="Den ellevte: <i>lys</i> på stien", contact_email="nabo@example.org")
    response = client_en.post(suggest_url(world), data)
    assert response.status_code == 429
    # The real window of PUBLIC_WRITE_RATE (10/h), and the shared notice (issue 16).
    assert response["Retry-After"] == "3600"
    body = response.content.decode()
    assert "within an hour" in body and "Everything you wrote is still in the form" in body
    assert html.escape("Den ellevte: <i>lys</i> på stien") in body
    assert "nabo@example.org" in body
    assert Input.objects.count() == 10
    # Reading still works, and so does another address.
    assert client_en.get(suggest_url(world)).status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.78")
    assert other.post(suggest_url(world), form_data()).status_code == 302


def test_unknown_and_draft_projects_are_not_found(world, client_en):
    draft = world.project
    draft.visibility = Project.Visibility.DRAFT
    draft.save(update_fields=["visibility"])
    for path in [suggest_url(world), you_said_url(world), "/prosjekter/finnes-ikke/innspill/"]:
        assert client_en.get(path).status_code == 404
    assert client_en.post(suggest_url(world), form_data()).status_code == 404
    assert client_en.get(reverse("portal:you_said", args=["finnes-ikke"])).status_code == 404
    assert not Input.objects.exists()


def test_the_page_shows_decisions_and_measures_but_nothing_internal(world, client_en):
    adopted = published(
        world,
        "Naboene ønsker fartsdumper.",
        text="Per Hansen i nr. 7 vil ha fartsdumper",
        from_whom="Per Hansen",
        theme="Trafikk",
        contact_email="per@example.org",
    )
    services.input_decide(
        input=adopted, decision="adopted", decision_reason="Dumpene kommer før byggestart."
    )
    services.input_create_measure(
        input=adopted,
        created_by=None,
        title="Intern tittel: fartsdumper",
        is_public=True,
        public_text="Fartsdumper i Lindeveien.",
    )
    hidden_measure = services.input_create_measure(
        input=adopted,
        created_by=None,
        title="Hemmelig intern plan",
        description="Intern beskrivelse",
    )
    services.measure_update(measure=hidden_measure, changed_by=None, status="in_progress")
    published(world, "Ønske om lys på stien.")  # no theme, under consideration
    pending = services.input_submit_public(
        project=world.project, idempotency_key="k" * 32, text="Ventende forslag"
    )[0]
    hidden = published(world, "Skjult etter publisering.")
    services.input_hide(input=hidden)
    response = client_en.get(you_said_url(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert "You said – we did" in body
    assert "2 inputs" in body
    assert "Naboene ønsker fartsdumper." in body and "Ønske om lys på stien." in body
    assert "Adopted" in body and "Under consideration" in body
    assert "Dumpene kommer før byggestart." in body
    assert "Fartsdumper i Lindeveien." in body and "(planned)" in body
    assert "1 measure in progress" in body
    # Themes group the inputs; those without one come last, under "Other".
    assert body.index("Trafikk") < body.index("Other") < body.index("Ønske om lys")
    for secret in [
        "Per Hansen",
        "per@example.org",
        "Intern tittel",
        "Hemmelig intern plan",
        "Intern beskrivelse",
        "Intern tekst",
        pending.text,
        "Skjult etter publisering.",
    ]:
        assert secret not in body, secret


def test_the_page_is_cached_and_renewed_when_staff_change_it(world, client_en):
    input = published(world, "Ønske om benker.")
    assert "Under consideration" in client_en.get(you_said_url(world)).content.decode()
    services.input_decide(input=input, decision="not_adopted", decision_reason="Ikke plass.")
    body = client_en.get(you_said_url(world)).content.decode()
    assert "Not adopted" in body and "Ikke plass." in body
    services.input_create_measure(input=input, created_by=None, title="Internt tiltak")
    assert "1 measure planned" in client_en.get(you_said_url(world)).content.decode()


@pytest.mark.parametrize("count", [2, 40])
def test_the_page_does_not_grow_queries(world, count, client_en, django_assert_max_num_queries):
    for n in range(count):
        input = published(world, f"Innspill {n}", theme=f"Tema {n % 5}")
        services.input_create_measure(
            input=input, created_by=None, title="T", is_public=bool(n % 2), public_text="Tiltak"
        )
    # Cold: the cache generation, municipality, page cache read, project, inputs, measures,
    # and the cache write (measured: 16 with the rate limits, for 2 and 40 inputs).
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 6):
        assert client_en.get(you_said_url(world)).status_code == 200
    # Warm: the generation and the page from the cache (measured: 14).
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 2):
        assert client_en.get(you_said_url(world)).status_code == 200


def test_staff_see_the_same_public_page(world):
    published(world, "Ønske om benker.", from_whom="Naborådet")
    body = english(world.users["coordinator"]).get(you_said_url(world)).content.decode()
    assert "Ønske om benker." in body and "Naborådet" not in body


@FUZZ
@given(
    text=st.text(max_size=2100),
    theme=st.text(max_size=120),
    email=st.text(max_size=60),
    key=st.one_of(st.just("gyldig-nøkkel-som-er-lang-nok"), st.text(max_size=70)),
    website=st.sampled_from(["", "x"]),
    extra=st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=3),
)
def test_fuzz_suggestion_form(world, open_limits, text, theme, email, key, website, extra):
    before = Input.objects.count()
    data = {
        **extra,
        "text": text,
        "theme": theme,
        "contact_email": email,
        "idempotency_key": key,
        "website": website,
    }
    response = Client().post(suggest_url(world), data)
    assert response.status_code in {302, 400}
    stored = Input.objects.count() - before
    if response.status_code == 400:
        assert stored == 0
    else:
        assert stored in {0, 1}  # 0: the same key was sent before
        input = Input.objects.order_by("-pk").first()
        assert input.text.strip() and input.moderation == "pending"
        assert input.origin == "public_form" and not input.public_text
    assert not Measure.objects.exists()


@FUZZ
@given(slug=st.text(min_size=1, max_size=200))
def test_fuzz_slugs(world, open_limits, slug):
    from urllib.parse import quote

    for path in ["/prosjekter/{}/innspill/", "/prosjekter/{}/du-sa-vi-gjorde/"]:
        response = Client().get(path.format(quote(slug, safe="")))
        assert response.status_code in {200, 301, 302, 400, 404}


def test_demo_inputs_load_once_and_show(db):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from naboskap.demo.inputs import load_inputs

    call_command("load_demo", stdout=StringIO())
    projects = {p.slug: p for p in Project.objects.filter(slug__in=["lindeveien", "solbakken"])}
    counts = (Input.objects.count(), Measure.objects.filter(input__isnull=False).count())
    assert all(p.inputs.filter(moderation="published").exists() for p in projects.values())
    assert all(p.inputs.filter(moderation="pending").exists() for p in projects.values())
    assert counts[1] > 0
    users = {u.username: u for u in get_user_model().objects.all()}
    load_inputs(projects, users)
    assert (Input.objects.count(), Measure.objects.filter(input__isnull=False).count()) == counts
    for project in projects.values():
        body = english().get(reverse("portal:you_said", args=[project.slug])).content.decode()
        published = project.inputs.filter(moderation="published").first()
        assert published.public_text in body
        assert published.text not in body
