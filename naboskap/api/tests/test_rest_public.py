"""The REST API's public part (/api/v1/): the same projects, news and meetings as the public
pages of the municipality asked, never a hidden project, a private meeting or unpublished
news; errors as problem details; pages with cursors; the public read limit; the schema and
its documentation page."""

from datetime import timedelta

import pytest
import yaml
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.meetings.tests.factories import make_meeting
from naboskap.projects.models import ContactPoint, Project, Update
from naboskap.testing.factories import ProjectFactory

BASE = "/api/v1/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def open_limits(settings):
    """Many requests per test: the limit is tested on its own below."""
    settings.RATELIMIT_ENABLE = False


def get(path, client=None, **headers):
    return (client or Client()).get(path, **headers)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"]
    return body


@pytest.mark.django_db
def test_the_public_projects_are_those_of_the_public_pages(world, django_assert_max_num_queries):
    ProjectFactory(
        municipality=world.municipality,
        name="Skjult",
        slug="skjult",
        visibility=Project.Visibility.DRAFT,
    )
    ProjectFactory(municipality=world.other_municipality, name="Annenby-prosjektet", slug="annen")
    with django_assert_max_num_queries(3):
        response = get(BASE + "projects/")
    assert response.status_code == 200
    projects = response.json()
    assert [p["slug"] for p in projects] == [world.project.slug]
    shown = projects[0]
    assert shown["name"] == world.project.name and shown["phase"] == world.project.phase
    assert shown["phase_label"] == world.project.get_phase_display()
    assert shown["url"] == "http://testserver" + world.project.get_public_url()
    # The other municipality's address gives its own projects, not these.
    other = {p["slug"]: p for p in get("/k/annenby" + BASE + "projects/").json()}
    assert "annen" in other and world.project.slug not in other
    annen = ProjectFactory.build(slug="annen").get_public_url()
    assert other["annen"]["url"] == "http://testserver/k/annenby" + annen


@pytest.mark.django_db
def test_a_project_in_detail_with_its_phases_and_whom_to_contact(world):
    ContactPoint.objects.create(
        project=world.project,
        function="Tjenesteleder",
        phone="+4791234567",
        email="leder@x.no",
        position=9,
    )
    response = get(BASE + f"projects/{world.project.slug}/")
    assert response.status_code == 200
    project = response.json()
    assert project["contact_points"][-1:] == [
        {
            "function": "Tjenesteleder",
            "phone": "+4791234567",
            "on_duty_phone": "",
            "email": "leder@x.no",
            "opening_hours": "",
        }
    ]
    assert project["description"] == world.project.description
    assert set(project) >= {"phase_changes", "planned_phases", "latitude", "longitude"}
    # Nothing the public page does not show: no staff, no units, no dwellings.
    assert not {"dialogue_owner", "responsible_unit", "dwellings_total", "visibility"} & set(
        project
    )


@pytest.mark.django_db
def test_a_hidden_project_or_one_of_another_municipality_does_not_exist(world):
    hidden = ProjectFactory(
        municipality=world.municipality, slug="skjult", visibility=Project.Visibility.DRAFT
    )
    for path in (
        f"projects/{hidden.slug}/measures/",
        f"projects/{hidden.slug}/risk-summaries/",
        f"projects/{hidden.slug}/you-said/",
        f"projects/{hidden.slug}/",
        f"projects/{hidden.slug}/updates/",
        f"projects/{hidden.slug}/meetings/",
    ):
        body = problem(get(BASE + path), 404)
        assert body["detail"] == "Det finnes ikke noe offentlig prosjekt med denne adressen."
    problem(get("/k/annenby" + BASE + f"projects/{world.project.slug}/"), 404)
    problem(get("/k/finnesikke" + BASE + "projects/"), 404)
    english = problem(get(BASE + "projects/nei/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert english["title"] == "Not found"
    assert english["detail"] == "There is no public project with this address."


@pytest.mark.django_db
def test_the_news_newest_first_in_pages_and_never_unpublished(world):
    now = timezone.now()
    Update.objects.filter(project=world.project).update(published_at=now - timedelta(days=30))
    Update.objects.bulk_create(
        Update(
            project=world.project,
            title=f"Nytt {n}",
            body="Tekst",
            published_at=now - timedelta(days=n),
        )
        for n in range(5)
    )
    Update.objects.create(
        project=world.project, title="Planlagt", body="Senere", published_at=now + timedelta(days=2)
    )
    titles, url = [], BASE + f"projects/{world.project.slug}/updates/?page_size=2"
    while url:
        page = get(url)
        assert page.status_code == 200
        titles += [update["title"] for update in page.json()["results"]]
        url = page.json()["next"]
    assert titles[:5] == [f"Nytt {n}" for n in range(5)]
    assert "Planlagt" not in titles
    problem(get(BASE + f"projects/{world.project.slug}/updates/?cursor=tull"), 404)


@pytest.mark.django_db
def test_only_the_coming_public_meetings(world):
    make_meeting(world.project, title="Åpent møte", days=3, is_public=True)
    make_meeting(world.project, title="Internt møte", days=4, is_public=False)
    make_meeting(world.project, title="Gammelt møte", days=-10, is_public=True)
    response = get(BASE + f"projects/{world.project.slug}/meetings/")
    assert response.status_code == 200
    assert [m["title"] for m in response.json()["results"]] == ["Åpent møte"]
    assert response.json()["results"][0]["starts_at"].endswith(("+01:00", "+02:00"))


@pytest.mark.django_db
def test_anything_else_is_a_problem_not_a_page(world):
    problem(get(BASE + "finnes-ikke/"), 404)
    response = Client().post(BASE + "projects/", data="{}", content_type="application/json")
    assert problem(response, 405)["detail"]


@pytest.mark.django_db
def test_the_public_read_limit(world, settings):
    settings.RATELIMIT_ENABLE = True
    settings.PUBLIC_READ_RATE = "3/m"
    client = Client()
    for _ in range(3):
        assert get(BASE + "projects/", client).status_code == 200
    limited = get(BASE + "projects/", client)
    problem(limited, 429)
    assert limited["Retry-After"] == "60"


@pytest.mark.django_db
def test_the_schema_is_openapi_3_1_and_its_documentation_is_served_here(world):
    response = get(BASE + "schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"] == "3.1.0"
    assert {
        "/api/v1/projects/",
        "/api/v1/projects/{slug}/",
        "/api/v1/projects/{slug}/updates/",
        "/api/v1/projects/{slug}/meetings/",
        "/api/v1/projects/{slug}/measures/",
        "/api/v1/projects/{slug}/risk-summaries/",
        "/api/v1/projects/{slug}/you-said/",
    } <= set(schema["paths"])
    not_found = schema["paths"]["/api/v1/projects/{slug}/"]["get"]["responses"]["404"]
    assert "application/problem+json" in not_found["content"]
    docs = get(BASE + "docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page  # ours, not a CDN
    assert "cdn." not in page and "unpkg" not in page
    index = get(BASE).json()
    assert index["schema"].endswith("/api/v1/schema/") and index["docs"].endswith("/api/v1/docs/")


FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@FUZZ
@given(
    path=st.sampled_from(
        [
            "projects/{slug}/measures/",
            "projects/{slug}/risk-summaries/",
            "projects/{slug}/you-said/",
            "projects/",
            "projects/{slug}/",
            "projects/{slug}/updates/",
            "projects/{slug}/meetings/",
            "",
            "schema/",
        ]
    )
    | st.text(min_size=1, max_size=40).map(lambda text: f"projects/{text}/updates/"),
    params=st.dictionaries(
        st.sampled_from(["cursor", "page_size", "format", "lang"]) | st.text(max_size=10),
        st.text(max_size=60) | st.integers(-5, 10_000).map(str),
        max_size=4,
    ),
    language=st.sampled_from(["", "en", "nn", "nb-NO,en;q=0.5", "xx", "*"]),
)
def test_fuzz_get(world, path, params, language):
    """Whatever is asked, the answer is the resource, its page, or a problem: never a 500
    and never an HTML page."""
    from urllib.parse import quote

    path = path.replace("{slug}", world.project.slug)
    if path.startswith("projects/") and path.count("/") == 3 and path.endswith("/updates/"):
        path = "projects/" + quote(path[len("projects/") : -len("/updates/")], safe="")
        path += "/updates/"
    response = Client().get(BASE + path, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in {200, 404}, response.content
    if response.status_code == 404:
        problem(response, 404)
    else:
        assert response["Content-Type"].split(";")[0] in {
            "application/json",
            "application/vnd.oai.openapi",
        }


@pytest.mark.django_db
def test_the_public_measures_as_on_the_page(world):
    from naboskap.testing.factories import make_measure

    shown = make_measure(
        world.project, title="Intern tittel", is_public=True, public_text="Bedre belysning på stien"
    )
    make_measure(world.project, title="Internt tiltak", is_public=False, public_text="Skjult")
    response = get(BASE + f"projects/{world.project.slug}/measures/")
    assert response.status_code == 200
    measures = response.json()
    assert [m["text"] for m in measures] == ["Bedre belysning på stien"]
    assert measures[0]["id"] == shown.pk and measures[0]["status_label"]
    assert "Intern tittel" not in response.content.decode()
    page = get(world.project.get_public_url()).content.decode()
    assert all(m["text"] in page for m in measures) and "Skjult" not in page


@pytest.mark.django_db
def test_the_published_risk_summary_in_words(world):
    from naboskap.tests.test_url_permissions import published_risk_summary

    assert get(BASE + f"projects/{world.project.slug}/risk-summaries/").json() == []
    published_risk_summary(world)
    response = get(BASE + f"projects/{world.project.slug}/risk-summaries/")
    assert response.status_code == 200
    [summary] = response.json()
    assert summary["organisations"] == ["FAU"] and summary["revision"] >= 1
    event = summary["events"][0]
    assert event["title"] and event["number"] == 1
    if event["before"]:
        assert event["before"]["word"] in {"Lav", "Middels", "Høy"}
    page = get(world.project.get_public_url()).content.decode()
    assert event["title"] in page


@pytest.mark.django_db
def test_you_said_we_did_only_what_was_published(world):
    from naboskap.plans import services
    from naboskap.plans.models import Input

    said = services.input_register(
        project=world.project,
        created_by=None,
        text="Intern tekst som aldri vises",
        origin=Input.Origin.MEETING,
        theme="Uteområdet",
    )
    services.input_publish(input=said, public_text="Flere benker langs stien")
    services.input_decide(
        input=said,
        decision=Input.Decision.ADOPTED,
        decision_reason="Vi setter opp tre benker i vår.",
    )
    services.input_register(
        project=world.project, created_by=None, text="Ikke publisert", origin=Input.Origin.MEETING
    )
    response = get(BASE + f"projects/{world.project.slug}/you-said/")
    assert response.status_code == 200
    [shown] = response.json()
    assert shown["text"] == "Flere benker langs stien" and shown["theme"] == "Uteområdet"
    assert shown["decision"] == "adopted" and shown["decision_reason"].startswith("Vi setter")
    assert shown["measures"] == [] and shown["other_measures"] == {}
    body = response.content.decode()
    assert "Intern tekst" not in body and "Ikke publisert" not in body
    page = get(f"/prosjekter/{world.project.slug}/du-sa-vi-gjorde/").content.decode()
    assert "Flere benker langs stien" in page


@pytest.mark.django_db
def test_a_detail_answers_not_modified_until_it_changes(world):
    url = BASE + f"projects/{world.project.slug}/"
    first = get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    Project.objects.filter(pk=world.project.pk).update(address="Nyveien 2, 9999 Testvik")
    changed = get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["address"] == "Nyveien 2, 9999 Testvik"
