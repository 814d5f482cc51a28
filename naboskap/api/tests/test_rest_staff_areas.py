"""The REST API's staff endpoints beyond concerns (issue 23): measures, meetings and minutes,
ROS analyses, the stakeholder register and the survey's results. A token acts as its user
through the pages' own access helpers and selectors: what the pages refuse is 404 (or an
empty list), a token without the area's scope is 403, a read-only token cannot write, the
API and the page agree, and a list's queries do not grow with its rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from naboskap.api import services as api_services
from naboskap.conftest import client_for
from naboskap.insights import services as survey_services
from naboskap.insights.models import Question
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.tests.factories import make_meeting
from naboskap.plans.models import Measure, MeasureChange
from naboskap.risk.tests.factories import fill_analysis, make_analysis
from naboskap.stakeholders.register import services as register_services
from naboskap.tenancy.models import Unit
from naboskap.testing.factories import make_measure, make_plan

BASE = "/api/v1/"
PROBLEM = "application/problem+json"
FJORDBY_STAFF = ["admin", "coordinator", "case_handler", "facility_staff", "police", "politician"]
ALL_READ = [
    "measures:read",
    "meetings:read",
    "analyses:read",
    "stakeholders:read",
    "surveys:read",
]


@pytest.fixture(autouse=True)
def open_limits(settings):
    settings.RATELIMIT_ENABLE = False


def token_for(user, scopes=(*ALL_READ, "measures:write"), days=30) -> str:
    _token, raw = api_services.token_create(
        user=user,
        name="Fagsystem",
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw


def api(raw, method, path, data=None, **headers):
    headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client = Client()
    if method == "get":
        return client.get(BASE + path, data or {}, **headers)
    return client.post(BASE + path, data=data, content_type="application/json", **headers)


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def results(response) -> list:
    return ok(response)["results"]


# Measures ----------------------------------------------------------------------------------


@pytest.fixture
def measure(world):
    return make_measure(
        world.project, title="Fast kontaktperson for naboene", by=world.users["coordinator"]
    )


@pytest.mark.parametrize("persona", FJORDBY_STAFF)
def test_everyone_who_reaches_the_project_reads_its_measures(world, measure, persona):
    raw = token_for(world.users[persona])
    rows = results(api(raw, "get", "measures/"))
    assert [row["id"] for row in rows] == [measure.pk]
    assert rows[0]["title"] == "Fast kontaktperson for naboene"
    assert rows[0]["owner_unit"]["name"] == "Eiendom"
    body = ok(api(raw, "get", f"measures/{measure.pk}/"))
    assert body["status"] == "planned" and body["project"]["slug"] == "lindeveien"
    assert body["history"][0]["changed_by"]["id"] == world.users["coordinator"].pk


def test_the_outsider_gets_404_and_an_empty_list(world, measure):
    raw = token_for(world.users["outsider"])
    assert results(api(raw, "get", "measures/")) == []
    problem(api(raw, "get", f"measures/{measure.pk}/"), 404)
    problem(api(raw, "post", f"measures/{measure.pk}/progress/", {"status": "done"}), 404)
    problem(api(raw, "get", "measures/999999/"), 404)


def test_the_measure_list_filters_and_orders_by_due_date(world, measure):
    today = timezone.localdate()
    later = make_measure(world.project, title="Lys på stien", due_date=today + timedelta(days=90))
    sooner = make_measure(world.project, title="Benk ved lekeplassen", due_date=today)
    undated = make_measure(world.project, title="Uten frist", due_date=None)
    make_measure(world.other_project, title="Annenbys tiltak")
    raw = token_for(world.users["coordinator"])
    rows = results(api(raw, "get", "measures/", {"page_size": 2}))
    assert [row["id"] for row in rows] == [sooner.pk, measure.pk]
    everything = []
    page = api(raw, "get", "measures/", {"page_size": 2}).json()
    while True:
        everything += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = Client().get(page["next"], HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert everything == [sooner.pk, measure.pk, later.pk, undated.pk]
    Measure.objects.filter(pk=later.pk).update(status=Measure.Status.IN_PROGRESS)
    rows = results(api(raw, "get", "measures/", {"status": "in_progress"}))
    assert [row["id"] for row in rows] == [later.pk]
    rows = results(api(raw, "get", "measures/", {"project": world.other_project.pk}))
    assert rows == []  # not a project the coordinator reaches: nothing, not an error
    body = problem(api(raw, "get", "measures/", {"status": "nonsense"}), 400)
    assert "status" in body["errors"]


def test_the_owner_unit_or_a_coordinator_reports_progress_through_the_service(world, measure):
    raw = token_for(world.users["coordinator"])
    response = api(
        raw,
        "post",
        f"measures/{measure.pk}/progress/",
        {"status": "in_progress", "progress": 40, "note": "Kontaktpersonen er valgt."},
        HTTP_IDEMPOTENCY_KEY="fremdrift-tiltak-0001",
    )
    body = ok(response)
    assert body["status"] == "in_progress" and body["progress"] == 40
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == ("in_progress", 40)
    change = MeasureChange.objects.filter(measure=measure).order_by("-pk").first()
    assert change.note == "Kontaktpersonen er valgt."
    assert change.changed_by == world.users["coordinator"]
    again = api(
        raw,
        "post",
        f"measures/{measure.pk}/progress/",
        {"status": "in_progress", "progress": 40, "note": "Kontaktpersonen er valgt."},
        HTTP_IDEMPOTENCY_KEY="fremdrift-tiltak-0001",
    )
    assert again["Idempotent-Replayed"] == "true"
    assert MeasureChange.objects.filter(measure=measure, note__startswith="Kontakt").count() == 1
    # The page's form: cancelling takes a reason.
    refused = api(raw, "post", f"measures/{measure.pk}/progress/", {"status": "cancelled"})
    errors = problem(refused, 400)["errors"]
    assert "cancel_reason" in errors and "progress" in errors
    done = ok(
        api(raw, "post", f"measures/{measure.pk}/progress/", {"status": "done", "progress": 10})
    )
    assert done["progress"] == 100  # the service: a measure that is done is 100 %


def test_a_read_token_cannot_write_and_a_reader_of_the_plan_cannot_report(world, measure):
    reader = token_for(world.users["coordinator"], scopes=["measures:read"])
    problem(api(reader, "post", f"measures/{measure.pk}/progress/", {"status": "done"}), 403)
    # A case handler of another unit sees the measure but does not report its progress.
    handler = token_for(world.users["case_handler"])
    assert ok(api(handler, "get", f"measures/{measure.pk}/"))["id"] == measure.pk
    data = {"status": "done", "progress": 100}
    problem(api(handler, "post", f"measures/{measure.pk}/progress/", data), 403)
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


def test_the_api_and_the_measure_page_agree(world, measure):
    user = world.users["politician"]
    body = ok(api(token_for(user), "get", f"measures/{measure.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    page = client_for(user, language="en").get(body["page"]).content.decode()
    assert body["title"] in page and body["status_label"] in page
    assert body["owner_unit"]["name"] in page


# Meetings ----------------------------------------------------------------------------------


@pytest.fixture
def meeting(world):
    meeting = make_meeting(world.project, title="Dialogmøte om nattestøy", days=3)
    item = minutes_services.agenda_item_add(meeting=meeting, title="Støy fra fotballbanen")
    minutes = minutes_services.minutes_start(meeting=meeting, created_by=None)
    minutes_services.minutes_edit(minutes=minutes, summary="Godt oppmøte fra nabolaget.")
    minutes_services.item_notes_save(item=item, notes="Vaktmester følger opp lyset.")
    return meeting


@pytest.mark.parametrize("persona", FJORDBY_STAFF)
def test_everyone_who_reaches_the_project_reads_its_meetings_and_minutes(world, meeting, persona):
    raw = token_for(world.users[persona])
    rows = results(api(raw, "get", "meetings/"))
    assert [row["id"] for row in rows] == [meeting.pk]
    body = ok(api(raw, "get", f"meetings/{meeting.pk}/"))
    assert body["title"] == "Dialogmøte om nattestøy"
    assert [item["title"] for item in body["agenda"]] == ["Støy fra fotballbanen"]
    assert body["minutes"]["status"] == "draft"
    content = body["minutes"]["content"]
    assert content["summary"] == "Godt oppmøte fra nabolaget."
    assert content["items"][0]["notes"] == "Vaktmester følger opp lyset."


def test_meetings_are_404_outside_and_filter_upcoming_and_past(world, meeting):
    outsider = token_for(world.users["outsider"])
    assert results(api(outsider, "get", "meetings/")) == []
    problem(api(outsider, "get", f"meetings/{meeting.pk}/"), 404)
    held = make_meeting(world.project, title="Oppstartsmøte", days=-30)
    raw = token_for(world.users["coordinator"])
    assert [r["id"] for r in results(api(raw, "get", "meetings/"))] == [meeting.pk, held.pk]
    upcoming = results(api(raw, "get", "meetings/", {"when": "upcoming"}))
    assert [r["id"] for r in upcoming] == [meeting.pk]
    past = results(api(raw, "get", "meetings/", {"when": "past"}))
    assert [r["id"] for r in past] == [held.pk]
    assert ok(api(raw, "get", f"meetings/{held.pk}/"))["minutes"] is None
    problem(api(token_for(world.users["coordinator"], ["measures:read"]), "get", "meetings/"), 403)


def test_the_api_and_the_minutes_page_agree(world, meeting):
    user = world.users["police"]
    body = ok(api(token_for(user), "get", f"meetings/{meeting.pk}/"))
    url = reverse("meetings:minutes_detail", args=[world.project.pk, meeting.pk])
    page = client_for(user, language="en").get(url).content.decode()
    assert body["minutes"]["content"]["summary"] in page
    assert body["minutes"]["content"]["items"][0]["notes"] in page


# Analyses ----------------------------------------------------------------------------------


@pytest.fixture
def analysis(world):
    analysis = make_analysis(world.project, title="ROS Lindeveien")
    fill_analysis(analysis, 2, measures_every=1)
    return analysis


@pytest.mark.parametrize("persona", FJORDBY_STAFF)
def test_everyone_who_reaches_the_project_reads_its_analyses(world, analysis, persona):
    raw = token_for(world.users[persona])
    rows = results(api(raw, "get", "analyses/"))
    assert [(row["id"], row["event_count"]) for row in rows] == [(analysis.pk, 2)]
    body = ok(api(raw, "get", f"analyses/{analysis.pk}/"))
    assert body["title"] == "ROS Lindeveien"
    first = body["events"][0]
    assert first["title"] == "Hendelse nummer 1"
    assert first["before"]["colour"] in {"green", "yellow", "red"} and first["before"]["word"]
    assert {score["stage"] for score in first["scores"]} == {"before", "after"}
    assert [m["title"] for m in first["measures"]] == ["Tiltak for hendelse 1"]


def test_analyses_are_404_outside_and_agree_with_the_page(world, analysis):
    outsider = token_for(world.users["outsider"])
    assert results(api(outsider, "get", "analyses/")) == []
    problem(api(outsider, "get", f"analyses/{analysis.pk}/"), 404)
    problem(api(token_for(world.users["admin"], ["meetings:read"]), "get", "analyses/"), 403)
    user = world.users["politician"]
    body = ok(api(token_for(user), "get", f"analyses/{analysis.pk}/"))
    page = client_for(user, language="en").get(body["page"]).content.decode()
    assert body["events"][1]["title"] in page
    event_page = client_for(user, language="en").get(body["events"][1]["page"])
    assert body["events"][1]["measures"][0]["title"] in event_page.content.decode()


# Stakeholders ------------------------------------------------------------------------------


@pytest.fixture
def register(world):
    organisation = register_services.organisation_create(
        municipality=world.municipality, name="Lindeveien velforening", projects=[world.project]
    )
    person = register_services.person_create(
        municipality=world.municipality,
        name="Kari Nabo",
        email="kari@example.org",
        organisation=organisation,
        role="Leder",
        projects=[world.project],
    )
    interaction = register_services.interaction_log(
        project=world.project,
        user=world.users["coordinator"],
        channel="meeting",
        direction="in",
        summary="Velforeningen ba om bedre belysning.",
        organisations=[organisation],
        persons=[person],
    )
    return organisation, person, interaction


TEAM = ["admin", "coordinator", "facility_staff"]  # who see persons and interactions here


@pytest.mark.parametrize("persona", FJORDBY_STAFF)
def test_organisations_for_all_staff_persons_and_interactions_for_the_team(
    world, register, persona
):
    organisation, person, interaction = register
    raw = token_for(world.users[persona])
    rows = results(api(raw, "get", "stakeholders/organisations/"))
    assert [row["name"] for row in rows] == ["Lindeveien velforening"]
    body = ok(api(raw, "get", f"stakeholders/organisations/{organisation.pk}/"))
    persons = results(api(raw, "get", "stakeholders/persons/"))
    detail = api(raw, "get", f"stakeholders/persons/{person.pk}/")
    if persona in TEAM:
        assert [p["name"] for p in body["persons"]] == ["Kari Nabo"]
        assert body["interactions"][0]["summary"] == "Velforeningen ba om bedre belysning."
        assert [p["email"] for p in persons] == ["kari@example.org"]
        assert ok(detail)["interactions"][0]["id"] == interaction.pk
    else:  # case handlers, the police liaison and politicians see no persons
        assert body["persons"] == [] and body["interactions"] == []
        assert body["interaction_count"] == 0
        assert persons == []
        problem(detail, 404)
        assert "kari@example.org" not in str(body)


def test_the_register_is_404_for_the_outsider_and_agrees_with_the_page(world, register):
    organisation, person, _interaction = register
    outsider = token_for(world.users["outsider"])
    assert results(api(outsider, "get", "stakeholders/organisations/")) == []
    assert results(api(outsider, "get", "stakeholders/persons/")) == []
    problem(api(outsider, "get", f"stakeholders/organisations/{organisation.pk}/"), 404)
    problem(api(outsider, "get", f"stakeholders/persons/{person.pk}/"), 404)
    no_scope = token_for(world.users["coordinator"], ["surveys:read"])
    problem(api(no_scope, "get", f"stakeholders/persons/{person.pk}/"), 403)
    user = world.users["facility_staff"]
    body = ok(api(token_for(user), "get", f"stakeholders/persons/{person.pk}/"))
    page = client_for(user, language="en").get(body["page"]).content.decode()
    assert body["email"] in page and body["role"] in page
    assert body["interactions"][0]["summary"] in page


# Surveys -----------------------------------------------------------------------------------


def make_round(world, responses: int, project=None, title="Trygghet 2026"):
    today = timezone.localdate()
    survey_round = survey_services.round_create(
        project=project or world.project,
        template=survey_services.template_ensure_default(
            municipality=(project or world.project).municipality
        ),
        title=title,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    questions = list(survey_round.template.questions.all())
    for n in range(responses):
        survey_services.response_submit(
            survey_round=survey_round,
            answers={
                q.pk: (4 if n % 2 else 5, "") if q.is_likert else (None, "Mer lys, takk.")
                for q in questions
            },
        )
    return survey_round


@pytest.mark.parametrize("persona", FJORDBY_STAFF)
def test_survey_results_are_aggregates_and_open_answers_for_those_who_run_it(world, persona):
    survey_round = make_round(world, 5)
    raw = token_for(world.users[persona])
    rows = results(api(raw, "get", "surveys/"))
    assert [(r["id"], r["responses"], r["enough"]) for r in rows] == [(survey_round.pk, 5, True)]
    body = ok(api(raw, "get", f"surveys/{survey_round.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    likert = [row for row in body["results"] if row["kind"] == Question.Kind.LIKERT]
    assert likert[0]["answers"] == 5 and likert[0]["mean"] == 4.6  # (5*3 + 4*2) / 5
    assert likert[0]["text"] == "I feel safe in my neighbourhood."
    written = next(row for row in body["results"] if row["kind"] == Question.Kind.OPEN)
    assert written["open_count"] == 5
    if persona in {"admin", "coordinator"}:  # they run the project's survey
        assert written["open_answers"] == ["Mer lys, takk."] * 5
    else:
        assert written["open_answers"] is None and "Mer lys" not in str(body)


def test_too_few_responses_hide_the_figures_and_the_outsider_gets_404(world):
    survey_round = make_round(world, 4)
    raw = token_for(world.users["coordinator"])
    body = ok(api(raw, "get", f"surveys/{survey_round.pk}/"))
    assert body["enough"] is False
    assert all(row["mean"] is None and row["distribution"] is None for row in body["results"])
    assert all(row["open_answers"] is None for row in body["results"])
    outsider = token_for(world.users["outsider"])
    assert results(api(outsider, "get", "surveys/")) == []
    problem(api(outsider, "get", f"surveys/{survey_round.pk}/"), 404)
    problem(api(token_for(world.users["coordinator"], ["analyses:read"]), "get", "surveys/"), 403)


def test_the_api_and_the_results_page_agree(world):
    survey_round = make_round(world, 5)
    user = world.users["politician"]
    body = ok(api(token_for(user), "get", f"surveys/{survey_round.pk}/"))
    page = client_for(user, language="en").get(body["page"]).content.decode()
    assert "Mean 4.6 of 5 (5 answers)." in page and body["results"][0]["mean"] == 4.6
    assert "Mer lys" not in page


# Lists: their queries do not grow with their rows -------------------------------------------


def _grow_measures(world, n):
    make_plan(world.project, measures=n, units=list(Unit.objects.all()))


def _grow_meetings(world, n):
    for i in range(n):
        make_meeting(world.project, title=f"Møte {i}", days=i + 1)


def _grow_analyses(world, n):
    for i in range(n):
        fill_analysis(make_analysis(world.project, title=f"ROS {i}"), 2)


def _grow_register(world, n):
    start = world.municipality.organisations.count()
    for i in range(start, start + n):
        organisation = register_services.organisation_create(
            municipality=world.municipality,
            name=f"Forening {i}",
            projects=[world.project],
            tags=[f"tagg {i}"],
        )
        register_services.person_create(
            municipality=world.municipality,
            name=f"Person {i}",
            organisation=organisation,
            projects=[world.project],
            tags=["nabo"],
        )


def _grow_surveys(world, n):
    for i in range(n):
        make_round(world, 1, title=f"Runde {i}")


LISTS = {
    "measures/": _grow_measures,
    "meetings/": _grow_meetings,
    "analyses/": _grow_analyses,
    "stakeholders/organisations/": _grow_register,
    "stakeholders/persons/": _grow_register,
    "surveys/": _grow_surveys,
}


@pytest.mark.parametrize("path", list(LISTS))
def test_a_list_makes_as_many_queries_for_10_rows_as_for_2(world, path):
    raw = token_for(world.users["coordinator"])
    api(raw, "get", path)  # the token's first use is recorded once
    counts = []
    for rows in (2, 10):
        LISTS[path](world, rows - len(counts) * 2)  # 2 rows, then 8 more
        with CaptureQueriesContext(connection) as queries:
            listed = results(api(raw, "get", path))
        assert len(listed) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_details_carry_an_etag_and_answer_304(world, measure, meeting, analysis, register):
    organisation, person, _interaction = register
    raw = token_for(world.users["coordinator"])
    survey_round = make_round(world, 1)
    for path in (
        f"measures/{measure.pk}/",
        f"meetings/{meeting.pk}/",
        f"analyses/{analysis.pk}/",
        f"stakeholders/organisations/{organisation.pk}/",
        f"stakeholders/persons/{person.pk}/",
        f"surveys/{survey_round.pk}/",
    ):
        first = api(raw, "get", path)
        assert first.status_code == 200 and first["ETag"], path
        assert api(raw, "get", path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, path
