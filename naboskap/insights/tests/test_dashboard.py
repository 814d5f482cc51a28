"""The dashboards: numbers checked against small hand-computed data (on SQLite and on
PostgreSQL), what the pages and exports show, who sees them, and the number of queries at two
data sizes."""

from __future__ import annotations

import csv
import datetime
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns import services as concern_services
from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, english
from naboskap.insights import metrics, services
from naboskap.insights.models import Question
from naboskap.meetings.models import Attendance
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.plans.models import Measure
from naboskap.risk import selectors as risk_selectors
from naboskap.risk.models import ProbabilityLevel
from naboskap.risk.tests.factories import AFTER, fill_analysis, make_analysis, score
from naboskap.routines.models import ProjectTask
from naboskap.routines.tests.factories import apply_routine, make_routine
from naboskap.testing.factories import (
    MeasureFactory,
    ProjectFactory,
    UnitFactory,
    make_concern,
    make_plan,
)

pytestmark = pytest.mark.django_db


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def place(concern, **fields) -> None:
    """Set a concern's fields directly; an acknowledgement or an answer also sets what
    `concern_transition` keeps for the dashboards (the first of each, by local date)."""
    acknowledged, answered = fields.get("acknowledged_at"), fields.get("answered_at")
    if answered:
        fields.update(first_answered_at=answered, first_answered_on=timezone.localdate(answered))
    if acknowledged or answered:
        fields["acknowledged_on"] = timezone.localdate(min(filter(None, (acknowledged, answered))))
    Concern.objects.filter(pk=concern.pk).update(**fields)


@pytest.fixture
def concerns(world):
    """Four concerns counted by hand; a spam one, an old one and another municipality's are not.

    c1 noise, last month: acknowledged after 1 day (due 2), answered after 4 (due 10): kept.
    c2 noise, last month: acknowledged after 5 days (due 2), answered after 12 (due 10): missed.
    c3 litter, this month: not acknowledged, due dates ahead: not decided yet, open.
    c4 traffic, last month: nothing done, both due dates passed: missed, open and overdue.
    """
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    project = world.project
    c1, c2, c3, c4, spam, old = (
        make_concern(project, code)
        for code in ("noise", "noise", "litter", "traffic", "noise", "noise")
    )
    start = noon(last_month + timedelta(days=1))
    place(
        c1,
        created_at=start,
        acknowledge_due=(start + timedelta(days=2)).date(),
        acknowledged_at=start + timedelta(days=1),
        answer_due=(start + timedelta(days=10)).date(),
        answered_at=start + timedelta(days=4),
        status="answered",
    )
    place(
        c2,
        created_at=start,
        acknowledge_due=(start + timedelta(days=2)).date(),
        acknowledged_at=start + timedelta(days=5),
        answer_due=(start + timedelta(days=10)).date(),
        answered_at=start + timedelta(days=12),
        status="closed",
    )
    place(
        c3,
        created_at=noon(this_month),
        acknowledge_due=today + timedelta(days=3),
        answer_due=today + timedelta(days=10),
        status="received",
    )
    place(
        c4,
        created_at=start,
        acknowledge_due=today - timedelta(days=1),
        answer_due=today - timedelta(days=1),
        status="received",
    )
    place(spam, created_at=start, status="cancelled", cancel_reason="spam")
    place(old, created_at=noon(this_month - timedelta(days=400)))
    make_concern(world.other_project, "noise")
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4}


def period():
    return metrics.default_period()


def test_concerns_per_month_counts_by_category(world, concerns):
    p = period()
    result = metrics.concerns_per_month(world.municipality, start=p.start, end=p.end)
    assert len(result.months) == 12
    assert result.total == 4
    by_name = dict(result.series)
    assert by_name["Støy"][-2:] == [2, 0]
    assert by_name["Trafikk og parkering"][-2:] == [1, 0]
    assert by_name["Søppel og sprøyter"][-2:] == [0, 1]
    assert sum(sum(values) for values in by_name.values()) == 4
    # The same for the project alone; another project of the municipality has none.
    assert (
        metrics.concerns_per_month(
            world.municipality, world.project, start=p.start, end=p.end
        ).total
        == 4
    )
    empty = ProjectFactory(municipality=world.municipality, slug="tom")
    assert metrics.concerns_per_month(world.municipality, empty, start=p.start, end=p.end).empty


def test_deadlines_kept_and_median_days(world, concerns):
    p = period()
    result = metrics.deadlines(world.municipality, start=p.start, end=p.end)
    assert result.received == 4
    assert (result.acknowledge_decided, result.acknowledged_in_time) == (3, 1)
    assert (result.answer_decided, result.answered_in_time) == (3, 1)
    assert result.acknowledged_percent == 33.3
    assert result.answered_percent == 33.3
    assert result.answered == 2
    assert result.median_days_to_answer == 8.0  # (4 + 12) / 2
    assert (result.open, result.overdue) == (2, 1)


def test_median_of_an_odd_number_is_the_middle_value(world, concerns):
    extra = make_concern(world.project, "noise")
    start = noon(timezone.localdate().replace(day=1) - timedelta(days=20))
    place(extra, created_at=start, answered_at=start + timedelta(days=6), status="answered")
    p = period()
    assert (
        metrics.deadlines(world.municipality, start=p.start, end=p.end).median_days_to_answer == 6.0
    )


def test_days_to_answer_count_from_the_first_answer(world):
    """A concern answered, reopened and answered again: its deadline and its days to answer
    are those of the first answer, which the workflow keeps."""
    concern = make_concern(world.project, "noise")

    def move(*statuses):
        for status in statuses:
            answer = "Svar." if status == "answered" else ""
            concern_services.concern_transition(
                concern=concern, to_status=status, by=None, answer=answer
            )

    move("acknowledged", "answered")
    concern.refresh_from_db()
    first = concern.first_answered_at
    assert first is not None and concern.answered_at == first
    assert concern.acknowledged_on == concern.first_answered_on == timezone.localdate(first)
    move("closed", "in_progress", "answered")
    concern.refresh_from_db()
    assert concern.first_answered_at == first and concern.answered_at > first
    # Received two days before the first answer; the second answer came a week later.
    Concern.objects.filter(pk=concern.pk).update(
        created_at=first - timedelta(days=2), answered_at=first + timedelta(days=7)
    )
    p = period()
    result = metrics.deadlines(world.municipality, world.project, start=p.start, end=p.end)
    assert (result.answered, result.answered_in_time) == (1, 1)
    assert result.median_days_to_answer == 2.0


def test_measures_by_unit(world):
    today = timezone.localdate()
    a = UnitFactory(municipality=world.municipality, name="Alfa")
    b = UnitFactory(municipality=world.municipality, name="Beta")
    MeasureFactory(project=world.project, owner_unit=a, due_date=today - timedelta(days=3))
    MeasureFactory(
        project=world.project, owner_unit=a, status="in_progress", due_date=today + timedelta(5)
    )
    MeasureFactory(
        project=world.project, owner_unit=a, status="done", due_date=today - timedelta(9)
    )
    MeasureFactory(project=world.project, owner_unit=b, due_date=None)
    MeasureFactory(project=world.other_project)
    result = metrics.measures_by_unit(world.municipality)
    assert [(r.unit, r.open, r.overdue) for r in result.rows] == [("Alfa", 2, 1), ("Beta", 1, 0)]
    assert (result.open, result.overdue) == (3, 1)


def test_risk_profile_matches_the_risk_pages(world):
    """The SQL worst-cell count equals the risk app's own (Python) overall risk per event."""
    analysis = make_analysis(world.project)
    fill_analysis(analysis, 7)
    events = list(analysis.events.all())
    score(events[0], 5, {"trygghet": 5})
    score(events[1], 1, {"trygghet": 1, "tillit": 1}, stage=AFTER)
    result = metrics.risk_profile(world.municipality)
    scale = risk_selectors.load_scale(analysis.scale_version)
    expected_before: dict = {}
    expected_after: dict = {}
    for event in risk_selectors.analysis_events(analysis):
        risk = risk_selectors.event_risk(event, scale)
        before = risk.before.colour if risk.before else ""
        after = risk.after.colour if risk.after else ""
        expected_before[before] = expected_before.get(before, 0) + 1
        expected_after[after] = expected_after.get(after, 0) + 1
    assert result.events == 7
    assert {k: v for k, v in result.before.items() if v} == expected_before
    assert {k: v for k, v in result.after.items() if v} == expected_after
    assert result.before.get("red", 0) >= 1


def test_flagged_events_match_the_risk_pages(world):
    analysis = make_analysis(world.project)
    event, other = fill_analysis(analysis, 2)
    UnwantedEventModel = type(event)
    UnwantedEventModel.objects.filter(pk__in=[event.pk, other.pk]).update(probability=1)
    levels = ProbabilityLevel.objects.filter(version=analysis.scale_version).order_by("value")
    levels.update(observed_per_year_from=None)
    ProbabilityLevel.objects.filter(pk=levels[1].pk).update(observed_per_year_from=2)
    for _ in range(2):
        concern = make_concern(world.project)
        place(concern, unwanted_event=event)
    place(make_concern(world.project), unwanted_event=other)  # one: below the threshold
    assert len(risk_selectors.events_to_reassess(world.project)) == 1
    assert metrics.flagged_events(world.municipality) == 1
    assert metrics.risk_profile(world.municipality, world.project).flagged == 1


def test_council_activity_per_quarter(world):
    body = make_body(world.project)
    members = list(body.members.all())
    held = make_meeting(world.project, body=body, days=-3)
    cancelled = make_meeting(world.project, body=body, days=-2)
    type(cancelled).objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    make_meeting(world.project, body=body, days=20)  # not held yet
    make_meeting(world.project, days=-1, kind="social")  # a social event: not counted
    Attendance.objects.bulk_create(
        Attendance(meeting=held, member=m, status="present" if i < 3 else "apologies")
        for i, m in enumerate(members[:4])
    )
    result = metrics.council_activity(
        world.municipality, start=period().start, end=timezone.localdate()
    )
    assert result.meetings == 1
    quarter = next(q for q in result.quarters if q.meetings)
    assert (quarter.present, quarter.recorded, quarter.attendance_percent) == (3, 4, 75.0)
    assert timezone.localtime(held.starts_at).date() >= quarter.quarter


def test_routine_progress(world):
    apply_routine(world.project, make_routine(world.municipality))
    tasks = list(ProjectTask.objects.filter(project=world.project).order_by("pk"))
    assert len(tasks) >= 2
    ProjectTask.objects.filter(pk=tasks[0].pk).update(status="done")
    ProjectTask.objects.filter(pk=tasks[1].pk).update(status="not_relevant")
    result = metrics.routine_progress(world.municipality)
    assert result.total == len(tasks)
    assert result.closed == 2
    assert result.percent == round(100 * 2 / len(tasks), 1)


def answer_round(project, values: list[int]):
    template = services.template_ensure_default(municipality=project.municipality)
    today = timezone.localdate()
    survey_round = services.round_create(
        project=project,
        template=template,
        title="Runde 1",
        opens_on=today,
        closes_on=today + timedelta(days=10),
    )
    questions = [q for q in template.questions.all() if q.kind == Question.Kind.LIKERT]
    for value in values:
        services.response_submit(
            survey_round=survey_round, answers={q.pk: (value, "") for q in questions}
        )
    return questions


def test_survey_trend_hides_small_groups(world):
    questions = answer_round(world.project, [1, 2, 3, 4, 5])
    result = metrics.survey_trend(world.municipality)
    assert result.labels == [str(timezone.localdate().year)]
    assert len(result.series) == len(questions)
    assert all(values == [3.0] for _q, values in result.series)
    project = metrics.survey_trend(world.municipality, world.project)
    assert project.labels == ["Runde 1"]
    assert all(values == [3.0] for _q, values in project.series)


def test_municipality_trend_follows_a_reworded_question_by_its_key(world):
    answer_round(world.project, [2, 2, 2, 2, 2])
    last_year = timezone.localdate() - timedelta(days=366)
    world.project.survey_rounds.update(opens_on=last_year, closes_on=last_year)
    template = services.template_ensure_default(municipality=world.municipality)
    second = services.template_new_version(template=template)
    first_likert = second.questions.filter(kind=Question.Kind.LIKERT).first()
    services.question_edit(
        question=first_likert,
        kind=first_likert.kind,
        text="Jeg føler meg trygg der jeg bor",
        key=first_likert.key,
    )
    survey_round = services.round_create(
        project=world.project,
        template=second,
        title="Runde 2",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=10),
    )
    questions = second.questions.filter(kind=Question.Kind.LIKERT)
    for _n in range(5):
        services.response_submit(
            survey_round=survey_round, answers={q.pk: (4, "") for q in questions}
        )
    result = metrics.survey_trend(world.municipality)
    assert len(result.series) == len(questions)  # one row per question across both years
    label, values = result.series[0]
    assert label == "Jeg føler meg trygg der jeg bor"  # the newest wording
    assert values == [2.0, 4.0]


def test_survey_trend_under_the_group_size_shows_nothing(world):
    answer_round(world.project, [5, 5])
    assert metrics.survey_trend(world.municipality).empty


# Pages -------------------------------------------------------------------------------------


def test_project_dashboard_shows_the_numbers(world, concerns):
    response = english(world.users["coordinator"]).get(
        reverse("insights:project_dashboard", args=[world.project.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dashboard: Lindeveien" in html
    assert 'role="img"' in html and "<figure" in html
    # The deadlines table and the key figures.
    assert (
        '<th scope="row">Acknowledged</th><td class="number">1</td><td class="number">3</td>'
        '<td class="number">33.3</td>' in html
    )
    assert '<dt>Median days to first answer</dt><dd data-figure="4">8.0</dd>' in html
    assert "4 concerns received from" in html
    # Sections without data say so instead of drawing empty charts.
    assert "No open measures." in html
    assert "No unwanted events in the current analyses." in html
    assert "No council meetings in this period." in html
    # No inline styles or scripts in the charts (the Content Security Policy forbids them).
    assert "style=" not in html.split("<main", 1)[1]
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    # Nothing personal: no reporter, no reference.
    for concern in concerns.values():
        assert concern.reference not in html


def test_empty_dashboard_says_no_concerns(world):
    response = english(world.users["admin"]).get(reverse("insights:municipality_dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No concerns in this period." in html
    assert "Dashboard: Fjordby kommune" in html
    assert 'class="chart__svg"' not in html


def test_a_bad_period_is_refused_and_kept(world):
    url = reverse("insights:municipality_dashboard")
    response = english(world.users["admin"]).get(url, {"fra": "2026-05-01", "til": "2026-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The start of the period must be before its end." in html
    assert 'value="2026-05-01"' in html
    response = english(world.users["admin"]).get(url, {"fra": "nonsense"})
    assert response.status_code == 400
    assert 'value="nonsense"' in response.content.decode()
    export = english(world.users["admin"]).get(
        reverse("insights:municipality_dashboard_export", args=["csv"]), {"fra": "nonsense"}
    )
    assert export.status_code == 400


def test_a_chosen_period_is_used(world, concerns):
    today = timezone.localdate()
    response = english(world.users["admin"]).get(
        reverse("insights:municipality_dashboard"),
        {"fra": today.replace(day=1).isoformat(), "til": today.isoformat()},
    )
    assert response.status_code == 200
    assert "1 concern received from" in response.content.decode()


def test_politician_sees_the_municipality_dashboard_case_handler_does_not(world):
    url = reverse("insights:municipality_dashboard")
    assert client_for(world.users["politician"]).get(url).status_code == 200
    assert client_for(world.users["case_handler"]).get(url).status_code == 403
    assert client_for(world.users["facility_staff"]).get(url).status_code == 403
    outsider = english(world.users["outsider"]).get(url)
    assert "Dashboard: Annenby kommune" in outsider.content.decode()
    assert client_for(world.users["outsider"]).get(url, {"kommune": "fjordby"}).status_code == 404


def test_links_from_the_project_page_and_my_projects(world):
    client = english(world.users["coordinator"])
    url = reverse("insights:project_dashboard", args=[world.project.pk])
    assert url in client.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    mine = client.get(reverse("projects:my_projects")).content.decode()
    assert reverse("insights:municipality_dashboard") in mine
    # Someone who may not read the municipality's dashboard gets no link to it.
    facility = english(world.users["facility_staff"]).get(reverse("projects:my_projects"))
    assert reverse("insights:municipality_dashboard") not in facility.content.decode()


# Exports -----------------------------------------------------------------------------------


def test_csv_export_has_the_same_numbers(world, concerns):
    response = english(world.users["admin"]).get(
        reverse("insights:municipality_dashboard_export", args=["csv"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Dashboard: Fjordby kommune"]
    assert ["Concerns received", "4"] in rows
    assert ["Acknowledged", "1", "3", "33.3"] in rows
    assert ["Median days to first answer", "8.0"] in rows
    header = rows.index(["Concerns per month by category"]) + 1
    assert rows[header][0] == "Month"


def test_xlsx_export_has_the_same_numbers(world, concerns):
    response = english(world.users["coordinator"]).get(
        reverse("insights:project_dashboard_export", args=[world.project.pk, "xlsx"])
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    figures = {row[0]: row[1] for row in book["Key figures"].iter_rows(values_only=True)}
    assert figures["Concerns received"] == 4
    assert figures["Answered in time (%)"] == 33.3
    deadlines = list(book["Deadlines kept"].iter_rows(values_only=True))
    assert deadlines[1] == ("Acknowledged", 1, 3, 33.3)
    # Concerns by how they were received (issue 16): all four came through the web form.
    channels = list(book[book.sheetnames[2]].iter_rows(values_only=True))
    assert channels[0][:2] == ("Received by", "Concerns")
    assert ("Web form", 4) in [row[:2] for row in channels]
    assert len(book.sheetnames) == 9


def test_unknown_export_format_is_404(world):
    client = client_for(world.users["admin"])
    url = reverse("insights:municipality_dashboard_export", args=["pdf"])
    assert client.get(url).status_code == 404


# Queries -----------------------------------------------------------------------------------


def grow(world, n: int) -> None:
    """n concerns, measures, events, meetings and tasks more (bulk where possible)."""
    for i in range(n):
        concern = make_concern(world.project, ("noise", "litter", "traffic")[i % 3])
        place(
            concern,
            acknowledged_at=timezone.now(),
            answered_at=timezone.now() if i % 2 else None,
            status="answered" if i % 2 else "acknowledged",
        )
    make_plan(world.project, measures=n, units=3)
    fill_analysis(make_analysis(world.project, title=f"ROS {n}"), n)
    body = make_body(world.project, name=f"Råd {n}")
    for i in range(n):
        meeting = make_meeting(world.project, body=body, days=-(10 + 30 * i))
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=m, status="present") for m in body.members.all()
        )
    apply_routine(world.project, make_routine(world.municipality, slug=f"rutine-{n}"))


@pytest.mark.parametrize("size", [2, 12])
def test_queries_do_not_grow_with_data(world, size, django_assert_max_num_queries):
    grow(world, size)
    answer_round(world.project, [4, 4, 3, 5, 4])
    client = client_for(world.users["admin"])
    with django_assert_max_num_queries(26):
        response = client.get(reverse("insights:municipality_dashboard"))
    assert response.status_code == 200
    with django_assert_max_num_queries(26):
        response = client.get(reverse("insights:project_dashboard", args=[world.project.pk]))
    assert response.status_code == 200
    assert Measure.objects.count() >= size
