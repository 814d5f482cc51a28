"""The staff project page as the project's home (issue 18), through HTTP for each persona:
key figures that link to the lists they count, the routine's next step, the work by kind
that fits the project's phase, only links the user may open, and a query count that does
not grow with the data."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, make_staff
from naboskap.facility.models import Incident
from naboskap.insights import services as survey_services
from naboskap.insights.models import Question
from naboskap.meetings.models import Attendance, Member
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.projects.models import Phase, Project
from naboskap.risk.tests.factories import fill_analysis, make_analysis
from naboskap.routines.tests.factories import apply_routine
from naboskap.tenancy.models import Role
from naboskap.testing.factories import MeasureFactory, make_concern

PERSONAS = [
    "admin",
    "coordinator",
    "case_handler",
    "facility_staff",
    "caretaker",
    "police",
    "politician",
]
TODAY = timezone.localdate()
DAY = timedelta(days=1)


@pytest.fixture
def caretaker(world):
    user = make_staff(
        world.municipality, Role.CARETAKER, project=world.project, username="caretaker"
    )
    world.users["caretaker"] = user
    return user


def url(world) -> str:
    return reverse("projects:detail", args=[world.project.pk])


def set_phase(world, phase: str) -> None:
    Project.objects.filter(pk=world.project.pk).update(phase=phase)
    world.project.refresh_from_db()


def get(world, persona: str):
    client = client_for(world.users[persona], language="en")
    response = client.get(url(world))
    assert response.status_code == 200
    return client, response.content.decode()


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def main_links(html: str) -> list[str]:
    return sorted({h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', main_of(html))})


def part(html: str, attribute: str, value: str) -> str:
    """A figure (up to the next figure) or a section (up to its end)."""
    start = html.index(f'{attribute}="{value}"')
    end = html.find("</section>", start)
    if attribute == "data-figure":
        following = html.find('class="ds-card project-figure"', start)
        end = following if 0 < following < end else end
    return html[start:end]


def survey_round(world, *, answers: int, opens_ago: int = 1):
    survey = survey_services.round_create(
        project=world.project,
        template=survey_services.template_ensure_default(municipality=world.municipality),
        title="Trygghet 2026",
        opens_on=TODAY - opens_ago * DAY,
        closes_on=TODAY + 30 * DAY,
    )
    likert = [q for q in survey.template.questions.all() if q.kind == Question.Kind.LIKERT]
    for n in range(answers):
        survey_services.response_submit(
            survey_round=survey,
            answers={q.pk: (4 + (n + i) % 2, "") for i, q in enumerate(likert)},
        )
    return survey


def add_content(world) -> None:
    """One of each kind: an overdue concern and an open one, an overdue measure, a ROS
    analysis with scored events, a survey round with enough answers, a council that met with
    attendance, a routine, an open incident."""
    yesterday = TODAY - DAY
    overdue = make_concern(world.project)
    Concern.objects.filter(pk=overdue.pk).update(
        status="in_progress", answer_due=yesterday, acknowledged_at=timezone.now()
    )
    make_concern(world.project)
    MeasureFactory(project=world.project, owner_unit=world.project.responsible_unit)
    MeasureFactory(
        project=world.project, owner_unit=world.project.responsible_unit, due_date=yesterday
    )
    fill_analysis(make_analysis(world.project), 4)
    survey_round(world, answers=5)
    body = make_body(world.project)
    held = make_meeting(world.project, body=body, days=-10)
    for n, member in enumerate(Member.objects.filter(body=body)):
        status = Attendance.Status.PRESENT if n % 4 else Attendance.Status.APOLOGIES
        Attendance.objects.create(meeting=held, member=member, status=status)
    make_meeting(world.project, days=5, title="Dialogmøte om boligene")
    apply_routine(world.project)
    Incident.objects.create(project=world.project, category="noise", description="Bråk")
    cache.clear()


def add_data(world, n: int) -> None:
    """More of everything, so the tables grow while the page's questions stay the same."""
    far = TODAY + 60 * DAY
    analysis = world.project.risk_analyses.first()
    fill_analysis(analysis, n)
    for _ in range(n):
        concern = make_concern(world.project)
        Concern.objects.filter(pk=concern.pk).update(
            status="in_progress", answer_due=far, acknowledged_at=timezone.now()
        )
        MeasureFactory(
            project=world.project, owner_unit=world.project.responsible_unit, due_date=far
        )
        make_meeting(world.project, days=40)
        Incident.objects.create(project=world.project, category="noise", description="Bråk")
    survey = world.project.survey_rounds.first()
    likert = [q for q in survey.template.questions.all() if q.kind == Question.Kind.LIKERT]
    for _ in range(n):
        survey_services.response_submit(
            survey_round=survey, answers={q.pk: (3, "") for q in likert}
        )
    cache.clear()


def test_figures_count_and_link_to_the_filtered_lists(world):
    add_content(world)
    client, html = get(world, "coordinator")
    pk = world.project.pk
    concerns = part(html, "data-figure", "concerns")
    assert "2 open" in concerns and "1 overdue" in concerns
    assert f'href="/app/meldinger/?project={pk}"' in concerns
    overdue_url = f"/app/meldinger/?project={pk}&view=overdue"
    assert f'href="{overdue_url.replace("&", "&amp;")}"' in concerns
    listed = client.get(overdue_url).content.decode()
    overdue = Concern.objects.get(status="in_progress", answer_due__lt=TODAY)
    fresh = Concern.objects.exclude(pk=overdue.pk).get()
    assert overdue.reference in listed and fresh.reference not in listed

    measures = part(html, "data-figure", "measures")
    # Two of its own, and two that the ROS analysis added to the plan.
    assert "4 open" in measures and "1 overdue" in measures
    assert f'href="/app/prosjekter/{pk}/tiltak/?overdue=on"' in measures

    meeting = part(html, "data-figure", "meeting")
    assert "Dialogmøte om boligene" in meeting

    risk = part(html, "data-figure", "risk")
    levels = re.findall(r'data-colour="(\w*)">(\w[\w ]*)</span> <strong>(\d+)</strong>', risk)
    assert [(colour, word) for colour, word, _n in levels][:3] == [
        ("red", "Red"),
        ("yellow", "Yellow"),
        ("green", "Green"),
    ]
    assert sum(int(n) for _c, _w, n in levels) == 4
    analysis = world.project.risk_analyses.get()
    assert f'href="{analysis.get_absolute_url()}"' in risk

    survey = part(html, "data-figure", "survey")
    assert "4.5 of 5" in survey and "5 answers" in survey

    council = part(html, "data-figure", "council")
    assert "attendance 75 %" in council
    body = world.project.bodies.get()
    assert f'href="{body.get_absolute_url()}"' in council


def test_survey_score_is_hidden_under_five_answers(world):
    survey_round(world, answers=4)
    _client, html = get(world, "coordinator")
    survey = part(html, "data-figure", "survey")
    assert "Too few answers" in survey and " of 5" not in survey


def test_the_next_step_of_the_routine_is_always_shown(world):
    _client, html = get(world, "coordinator")
    step = part(html, "data-section", "next-step")
    assert "The project follows no routine yet." in step
    assert reverse("routines:project_routine", args=[world.project.pk]) in step
    apply_routine(world.project)
    for persona in ("coordinator", "politician"):
        _client, html = get(world, persona)
        step = part(html, "data-section", "next-step")
        assert "Informer naboene" in step
        with translation.override("en"):
            due = date_format(TODAY + 14 * DAY, "SHORT_DATE_FORMAT")
        assert f"Due {due}" in step
    # While planning, the tasks after it are listed too.
    assert "Orienter politikerne" in step


def test_phase_decides_what_is_offered(world, caretaker):
    apply_routine(world.project)
    pk = world.project.pk
    rounds = reverse("facility:round_list", args=[pk])
    log = reverse("facility:incident_list", args=[pk])
    for persona in ("facility_staff", "caretaker", "coordinator"):
        _client, html = get(world, persona)
        assert rounds not in html and log not in html, persona
        assert 'data-section="facility"' not in html
    _client, html = get(world, "coordinator")
    assert "Orienter politikerne" in part(html, "data-section", "next-step")

    set_phase(world, Phase.OPERATION)
    for persona in ("facility_staff", "caretaker"):
        _client, html = get(world, persona)
        assert rounds in html and log in html
    _client, html = get(world, "police")
    assert rounds not in html and log not in html  # counts only, in the situation picture
    _client, html = get(world, "coordinator")
    assert "Orienter politikerne" not in part(html, "data-section", "next-step")

    set_phase(world, Phase.CLOSED)
    _client, html = get(world, "facility_staff")
    assert rounds not in html and log in html  # the log is the closed project's history


def test_an_existing_facility_is_operated_whatever_its_phase(world):
    Project.objects.filter(pk=world.project.pk).update(kind=Project.Kind.EXISTING)
    _client, html = get(world, "facility_staff")
    assert reverse("facility:incident_list", args=[world.project.pk]) in html


def test_roles_see_their_figures(world):
    add_content(world)
    _client, html = get(world, "politician")
    assert 'data-figure="concerns"' not in html  # no inbox for politicians
    assert 'data-figure="measures"' in html
    assert reverse("reports:project_reports", args=[world.project.pk]) in html
    _client, html = get(world, "police")
    assert reverse("situation:picture", args=[world.project.pk]) in html
    assert 'data-figure="concerns"' not in html
    _client, html = get(world, "case_handler")
    # The case handler's unit has none of the project's concerns: the figure says so.
    assert "0 open" in part(html, "data-figure", "concerns")


@pytest.mark.parametrize("phase", [Phase.PLANNING, Phase.OPERATION])
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_on_the_page_opens(world, caretaker, persona, phase):
    add_content(world)
    set_phase(world, phase)
    client, html = get(world, persona)
    links = main_links(html)
    assert len(links) > 5
    for link in links:
        assert client.get(link).status_code == 200, (persona, link)


@pytest.mark.parametrize("persona", ["coordinator", "facility_staff", "politician", "police"])
def test_query_count_does_not_grow_with_the_data(
    world, caretaker, persona, django_assert_max_num_queries
):
    add_content(world)
    set_phase(world, Phase.OPERATION)
    add_data(world, 2)
    client = client_for(world.users[persona], language="en")
    client.get(url(world))  # warm the per-process caches
    with CaptureQueriesContext(connection) as small:
        first = client.get(url(world))
    # Counted now: the connection keeps only its last 9,000 queries, and adding data is many.
    small = len(small)
    add_data(world, 40)
    client.get(url(world))  # the same caches again (adding data emptied them)
    with django_assert_max_num_queries(small):
        second = client.get(url(world))
    assert first.status_code == second.status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(url(world))
    assert len(large) == small, (persona, small, len(large))
    assert small <= 45, small
