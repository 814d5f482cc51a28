"""The trust barometer (issue 25): each part's figure on data built for it, the weighting,
the email when it falls two months in a row, the page, the project page's card, the status
report's section, the settings and the query counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns.models import Concern
from naboskap.concerns.workflow import Status as ConcernStatus
from naboskap.conftest import client_for
from naboskap.insights import services as survey_services
from naboskap.insights.models import Answer, Response, SurveyRound
from naboskap.meetings.models import Attendance, Body, Meeting
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.outbox.models import Email
from naboskap.plans.models import Measure
from naboskap.projects.models import Phase
from naboskap.reports import services as report_services
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.scheduling.jobs import Counts
from naboskap.testing.factories import ProjectFactory, make_concern, make_measure
from naboskap.whatworks import barometer
from naboskap.whatworks.barometer import add_months, month_end, month_start
from naboskap.whatworks.jobs import compute_barometer
from naboskap.whatworks.models import BarometerReading, Settings

TODAY = timezone.localdate()
THIS = month_start(TODAY)
LAST = add_months(THIS, -1)  # the month before, complete: every part is judged on its end
LAST_END = month_end(LAST)
DAYS_LAST = (LAST_END - LAST).days + 1


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def reading_of(world, month=LAST) -> BarometerReading:
    barometer.update_readings(project_ids=[world.project.pk])
    return BarometerReading.objects.get(project=world.project, month=month)


# Each part -------------------------------------------------------------------------------


def test_concerns_against_what_the_analysis_expects(world):
    analysis = make_analysis(world.project)
    # On the default scale ("Nabolag", 5 levels), level 2 ends at 2 a year, level 3 at 12.
    level_3 = risk_services.event_create(analysis=analysis, title="Støy om natta", probability=3)
    level_2 = risk_services.event_create(analysis=analysis, title="Forsøpling", probability=2)
    risk_services.event_create(analysis=analysis, title="Brann", probability=5)  # the top
    risk_services.event_create(analysis=analysis, title="Ikke vurdert")  # no probability
    day = LAST.replace(day=10)
    linked = [make_concern(world.project) for _ in range(3)]
    earlier = make_concern(world.project)
    cancelled = make_concern(world.project)
    unlinked = [make_concern(world.project) for _ in range(2)]
    Concern.objects.filter(pk__in=[c.pk for c in linked + unlinked]).update(created_at=at(day))
    Concern.objects.filter(pk__in=[c.pk for c in linked[:2]]).update(unwanted_event=level_3)
    Concern.objects.filter(pk=linked[2].pk).update(unwanted_event=level_2)
    Concern.objects.filter(pk=earlier.pk).update(
        created_at=at(add_months(LAST, -1)), unwanted_event=level_3
    )
    Concern.objects.filter(pk=cancelled.pk).update(
        created_at=at(day), unwanted_event=level_3, status=ConcernStatus.CANCELLED
    )

    reading = reading_of(world)

    expected = round((12 + 2) * DAYS_LAST / 365, 2)
    assert reading.concerns_events == 2  # the top level and the unscored are not compared
    assert reading.concerns_observed == 3
    assert reading.concerns_expected == expected
    assert reading.concerns_unlinked == 2
    assert reading.concerns_score == round(100 * expected / 3)
    assert barometer.concerns_score(1, expected) == 100  # fewer than expected


def test_no_analysis_means_no_concerns_score(world):
    make_concern(world.project)
    reading = reading_of(world, THIS)
    assert reading.concerns_score is None
    assert reading.concerns_unlinked == 1


def test_answers_on_time_are_counted_in_the_month_they_were_due(world):
    due = LAST.replace(day=15)
    concerns = [make_concern(world.project) for _ in range(6)]
    on_time = [c.pk for c in concerns[:2]]
    Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(answer_due=due)
    Concern.objects.filter(pk__in=on_time).update(first_answered_on=due)
    Concern.objects.filter(pk=concerns[2].pk).update(first_answered_on=due + timedelta(days=3))
    Concern.objects.filter(pk=concerns[4].pk).update(status=ConcernStatus.CANCELLED)
    # Due later this month and not answered yet: not decided, not counted.
    Concern.objects.filter(pk=concerns[5].pk).update(answer_due=TODAY + timedelta(days=40))

    reading = reading_of(world)

    assert (reading.answers_due, reading.answers_on_time) == (4, 2)
    assert reading.answers_score == 50


def test_promises_kept_are_the_open_measures_not_overdue_at_the_end_of_the_month(world):
    before_end = LAST_END - timedelta(days=5)
    made = {name: make_measure(world.project, title=name) for name in "abcdef"}
    long_ago = at(add_months(LAST, -2))

    def set_(name, **fields):
        Measure.objects.filter(pk=made[name].pk).update(created_at=long_ago, **fields)

    set_("a", due_date=before_end)  # open and overdue
    set_("b", due_date=LAST_END + timedelta(days=20))  # open, not yet due
    # Done after the month ended: it was still open, and overdue, on its last day.
    set_("c", due_date=before_end, status=Measure.Status.DONE, done_on=LAST_END + timedelta(1))
    set_("d", due_date=before_end, status=Measure.Status.DONE, done_on=before_end)  # kept
    set_("e", due_date=before_end, status=Measure.Status.CANCELLED)
    # "f" was made today: not a promise yet at the end of last month.

    reading = reading_of(world)

    assert (reading.promises_open, reading.promises_overdue) == (3, 2)
    assert reading.promises_score == 33


def test_no_open_measure_means_no_promises_score(world):
    assert reading_of(world).promises_score is None


def _survey_round(world, title, opens_on, values):
    """A round opened on `opens_on` with one response per list of Likert values."""
    template = survey_services.template_ensure_default(municipality=world.municipality)
    likert = [q for q in template.questions.all() if q.is_likert]
    survey_round = SurveyRound.objects.create(
        project=world.project,
        template=template,
        title=title,
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=20),
    )
    for answers in values:
        response = Response.objects.create(round=survey_round, submitted_on=opens_on)
        Answer.objects.bulk_create(
            Answer(response=response, question=question, value=value)
            for question, value in zip(likert, answers, strict=False)
        )
    return survey_round


def test_the_survey_is_the_newest_round_with_enough_responses(world):
    _survey_round(world, "Våren", add_months(LAST, -6), [[3, 3, 3]] * 5)
    _survey_round(world, "Høsten", LAST.replace(day=2), [[4, 4, None], [5, 5, 5]] + [[4]] * 3)
    _survey_round(world, "For få", LAST.replace(day=20), [[1, 1, 1]] * 4)  # under 5
    # Opened after the month ended: not in last month's reading.
    _survey_round(world, "Nå", THIS, [[1, 1, 1]] * 6)

    reading = reading_of(world)

    mean = (4 + 4 + 5 + 5 + 5 + 4 + 4 + 4) / 8  # answers, "don't know" left out
    assert reading.survey_round == "Høsten"
    assert reading.survey_responses == 5
    assert reading.survey_mean == pytest.approx(mean)
    assert reading.survey_previous_mean == pytest.approx(3)
    assert reading.survey_score == round((mean - 1) / 4 * 100)


def _body(world, name, interval, created_months_ago):
    body = make_body(world.project, name=name, meeting_interval_months=interval)
    Body.objects.filter(pk=body.pk).update(created_at=at(add_months(LAST, -created_months_ago)))
    return body


def test_council_activity(world):
    meeting_body = _body(world, "Naborådet", 3, 12)
    _body(world, "Referansegruppa", 1, 12)  # has not met for a month: 0
    _body(world, "Nytt råd", 3, 1)  # made a month ago: not due to have met yet
    meeting = make_meeting(world.project, body=meeting_body, days=-1)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=at(LAST.replace(day=5)), ends_at=at(LAST.replace(day=5), 14)
    )
    social = make_meeting(world.project, body=meeting_body, days=-1, kind=Meeting.Kind.SOCIAL)
    Meeting.objects.filter(pk=social.pk).update(
        starts_at=at(LAST.replace(day=6)), ends_at=at(LAST.replace(day=6), 14)
    )
    statuses = [Attendance.Status.PRESENT] * 3 + [Attendance.Status.APOLOGIES]
    for member, status in zip(meeting_body.members.all(), statuses, strict=True):
        Attendance.objects.create(meeting=meeting, member=member, status=status)

    reading = reading_of(world)

    assert (reading.council_bodies, reading.council_bodies_met) == (2, 1)
    assert (reading.council_meetings, reading.council_present, reading.council_recorded) == (
        1,
        3,
        4,
    )
    assert reading.council_score == round((75 + 0) / 2)


# The weighting ---------------------------------------------------------------------------


def test_the_total_is_weighted_over_the_parts_with_data():
    weights = Settings().weights
    assert weights == {"survey": 30, "concerns": 20, "answers": 20, "promises": 20, "council": 10}
    full = {"survey": 80, "concerns": 100, "answers": 50, "promises": 40, "council": 0}
    assert barometer.weighted_total(full, weights) == round(
        (30 * 80 + 20 * 100 + 20 * 50 + 20 * 40 + 10 * 0) / 100
    )
    # No survey and no measures: the other three share the whole.
    some = {**full, "survey": None, "promises": None}
    assert barometer.weighted_total(some, weights) == round((20 * 100 + 20 * 50) / 50)
    assert barometer.weighted_total(dict.fromkeys(full), weights) is None
    nothing_counts = {**weights, "concerns": 0, "answers": 0, "council": 0}
    assert barometer.weighted_total(some, nothing_counts) is None


def test_a_reading_uses_and_keeps_its_municipalitys_weights(world):
    Settings.objects.create(
        municipality=world.municipality,
        weight_survey=0,
        weight_concerns=0,
        weight_answers=1,
        weight_promises=3,
        weight_council=0,
    )
    concern = make_concern(world.project)
    Concern.objects.filter(pk=concern.pk).update(
        answer_due=LAST.replace(day=3), first_answered_on=LAST.replace(day=2)
    )
    measure = make_measure(world.project, due_date=LAST.replace(day=4))
    Measure.objects.filter(pk=measure.pk).update(created_at=at(add_months(LAST, -1)))

    reading = reading_of(world)

    assert (reading.answers_score, reading.promises_score) == (100, 0)
    assert reading.total == 25  # (1 × 100 + 3 × 0) / 4
    assert reading.weights["promises"] == 3
    parts = {part.key: part for part in barometer.describe(reading)}
    assert (parts["answers"].share, parts["promises"].share, parts["survey"].share) == (
        25,
        75,
        None,
    )


# Made once, kept once the month has ended ------------------------------------------------


def test_readings_are_upserted_and_an_ended_month_is_kept(world):
    assert barometer.update_readings() == 4  # two projects, two months
    assert barometer.update_readings() == 2  # this month again; last month is complete
    assert BarometerReading.objects.count() == 4
    last = BarometerReading.objects.get(project=world.project, month=LAST)
    assert last.as_of == LAST_END and last.is_complete
    current = BarometerReading.objects.get(project=world.project, month=THIS)
    assert current.as_of == TODAY
    assert barometer.update_readings(again=True) == 4


def test_closed_projects_get_no_new_readings(world):
    world.project.phase = Phase.CLOSED
    world.project.save(update_fields=["phase"])
    barometer.update_readings()
    assert not BarometerReading.objects.filter(project=world.project).exists()


# Telling the coordinators ----------------------------------------------------------------


def _history(project, totals, *, complete=True):
    """Readings for the months before this one, oldest first, with these totals."""
    months = [add_months(THIS, -n) for n in range(len(totals), 0, -1)]
    for month, total in zip(months, totals, strict=True):
        BarometerReading.objects.create(
            project=project,
            month=month,
            as_of=month_end(month) if complete else month.replace(day=20),
            total=total,
            answers_score=total,
            answers_due=10,
            answers_on_time=(total or 0) // 10,
            weights=Settings().weights,
            computed_at=timezone.now(),
        )


def falling_emails():
    return Email.objects.filter(kind=barometer.FALLING_KIND)


def test_the_coordinator_is_told_once_when_it_falls_two_months_in_a_row(world):
    _history(world.project, [70, 60, 52])
    _history(world.other_project, [70, 60, 65])  # fell, then rose

    compute_barometer(Counts())
    compute_barometer(Counts())  # a second run in the same month tells nobody again

    email = falling_emails().get()
    assert email.to == world.users["coordinator"].email
    assert world.project.name in email.subject
    assert reverse("whatworks:barometer", args=[world.project.pk]) in email.body
    assert "52" in email.body
    assert BarometerReading.objects.get(
        project=world.project, month=add_months(THIS, -1)
    ).falling_notified_at


def test_only_strict_falls_of_complete_months_count(world):
    _history(world.project, [70, 70, 60])  # the same, then down: once only
    assert barometer.notify_falling() == 0
    BarometerReading.objects.all().delete()
    _history(world.project, [70, 60, 50], complete=False)
    assert barometer.notify_falling() == 0
    BarometerReading.objects.all().delete()
    _history(world.project, [70, None, 50])
    assert barometer.notify_falling() == 0
    assert not falling_emails().exists()


def test_the_coordinators_of_the_project_are_told_not_other_projects(world):
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Role

    own = make_staff(world.municipality, Role.COORDINATOR, project=world.project)
    other = ProjectFactory(municipality=world.municipality, dialogue_owner=world.users["admin"])
    elsewhere = make_staff(world.municipality, Role.COORDINATOR, project=other)
    found = set(barometer.coordinators_of(world.project))
    assert found == {world.users["coordinator"], own}
    assert elsewhere not in found


# The page --------------------------------------------------------------------------------


def url(world):
    return reverse("whatworks:barometer", args=[world.project.pk])


def test_the_page_shows_each_part_and_the_weighting(world):
    _history(world.project, [70, 60])
    client = client_for(world.users["politician"], language="en")
    response = client.get(url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Survey trend",
        "Concerns against the risk analysis",
        "Answers on time",
        "Promises kept",
        "Council activity",
    ):
        assert label in html
    assert "Survey trend counts 30 %." in html
    assert "Council activity counts 10 %." in html
    assert "<strong>60</strong> of 100" in html
    assert "6 of 10 concerns due were answered on time." in html
    assert "No open measures." in html
    assert 'role="img"' in html  # the line, with the table beside it
    assert 'href="/app/hva-virker/innstillinger/"' not in html  # not theirs to change


def test_the_page_before_any_reading(world):
    client = client_for(world.users["coordinator"], language="en")
    response = client.get(url(world))
    assert response.status_code == 200
    assert "No reading yet." in response.content.decode()


@pytest.mark.parametrize("persona, status", [("outsider", 404), ("anonymous", 302)])
def test_the_page_is_closed_to_those_outside_the_project(world, persona_clients, persona, status):
    assert persona_clients[persona].get(url(world)).status_code == status


def test_a_project_coordinator_does_not_reach_another_projects_barometer(world):
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Role

    other = ProjectFactory(municipality=world.municipality, dialogue_owner=world.users["admin"])
    narrowed = make_staff(world.municipality, Role.COORDINATOR, project=other)
    response = client_for(narrowed).get(url(world))
    assert response.status_code == 404


def test_the_page_takes_the_same_queries_whatever_the_number_of_months(world):
    client = client_for(world.users["coordinator"], language="en")
    _history(world.project, [50, 60])
    client.get(url(world))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(world)).status_code == 200
    BarometerReading.objects.all().delete()
    _history(world.project, [50 + n for n in range(30)])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(world)).status_code == 200
    assert len(many) == len(few)


# Where other pages show it ---------------------------------------------------------------


def test_the_project_page_shows_the_latest_total(world):
    _history(world.project, [70, 64])
    client = client_for(world.users["coordinator"], language="en")
    html = client.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    assert 'data-figure="barometer"' in html
    assert "64 of 100" in html
    assert "down 6 from the month before" in html
    assert url(world) in html


def test_the_status_report_keeps_the_barometer_of_its_period(world):
    _history(world.project, [70, 64])
    report = report_services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=add_months(THIS, -2),
        period_end=month_end(add_months(THIS, -1)),
        language="en",
    )
    assert 'data-section="barometer"' in report.body_html
    assert "<strong>70</strong>" in report.body_html
    assert "<strong>64</strong>" in report.body_html
    assert "The parts in" in report.body_html
    # Kept as it was made (ADR 0022): a reading made again later does not change it.
    BarometerReading.objects.update(total=10)
    report.refresh_from_db()
    assert "<strong>64</strong>" in report.body_html

    overall = report_services.report_create(
        municipality=world.municipality,
        period_start=add_months(THIS, -2),
        period_end=month_end(add_months(THIS, -1)),
        language="en",
    )
    assert "latest total and part scores in the period" in overall.body_html
    assert world.project.name in overall.body_html


# The settings ----------------------------------------------------------------------------

SETTINGS_DATA = {
    "window_days": 90,
    "minimum_concerns": 6,
    "weight_survey": 40,
    "weight_concerns": 10,
    "weight_answers": 20,
    "weight_promises": 20,
    "weight_council": 10,
}


def test_the_administrator_sets_the_weights(world):
    client = client_for(world.users["admin"], language="en")
    page = client.get(reverse("whatworks:settings"))
    assert page.status_code == 200
    assert "Weighting of the trust barometer" in page.content.decode()
    response = client.post(reverse("whatworks:settings"), SETTINGS_DATA)
    assert response.status_code == 302
    saved = Settings.objects.get(municipality=world.municipality)
    assert saved.weights == {
        "survey": 40,
        "concerns": 10,
        "answers": 20,
        "promises": 20,
        "council": 10,
    }
    assert not saved.share_across
    page = client.get(url(world))
    assert "Survey trend counts 40 %." in page.content.decode()
    assert 'href="/app/hva-virker/innstillinger/"' in page.content.decode()


def test_every_weight_at_zero_is_refused_with_a_message(world):
    client = client_for(world.users["admin"], language="en")
    zero = {**SETTINGS_DATA, **{f"weight_{part}": 0 for part in barometer.BAROMETER_PARTS}}
    response = client.post(reverse("whatworks:settings"), zero)
    assert response.status_code == 400
    assert "Give at least one part of the trust barometer a weight above 0" in (
        response.content.decode()
    )
    assert not Settings.objects.exists()


def test_a_weight_above_100_is_refused(world):
    client = client_for(world.users["admin"], language="en")
    response = client.post(reverse("whatworks:settings"), {**SETTINGS_DATA, "weight_survey": 101})
    assert response.status_code == 400
    assert not Settings.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "politician", "outsider"])
def test_only_the_administrator_changes_the_settings(world, persona_clients, persona):
    response = persona_clients[persona].post(reverse("whatworks:settings"), SETTINGS_DATA)
    assert response.status_code == 403
    assert not Settings.objects.exists()


# Bounded work ----------------------------------------------------------------------------


def _fill(project, n):
    """`n` of everything a reading counts, in last month."""
    analysis = make_analysis(project)
    event = risk_services.event_create(analysis=analysis, title="Støy", probability=3)
    body = make_body(project, name=f"Råd {project.bodies.count() + 1}")
    for k in range(n):
        concern = make_concern(project)
        Concern.objects.filter(pk=concern.pk).update(
            created_at=at(LAST.replace(day=3)),
            unwanted_event=event,
            answer_due=LAST.replace(day=9),
        )
        measure = make_measure(project, title=f"Tiltak {k}", due_date=LAST.replace(day=2))
        Measure.objects.filter(pk=measure.pk).update(created_at=at(add_months(LAST, -1)))
        meeting = make_meeting(project, body=body, days=-1)
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=at(LAST.replace(day=4 + k % 20)), ends_at=at(LAST.replace(day=4 + k % 20), 14)
        )


def test_making_the_readings_takes_the_same_queries_whatever_the_data(world):
    _fill(world.project, 2)
    with CaptureQueriesContext(connection) as small:
        barometer.update_readings(again=True)
    for _ in range(3):
        project = ProjectFactory(
            municipality=world.municipality, dialogue_owner=world.users["admin"]
        )
        _fill(project, 6)
    _fill(world.project, 5)
    with CaptureQueriesContext(connection) as large:
        made = barometer.update_readings(again=True)
    assert made == 2 * 5  # five projects, two months
    assert len(large) == len(small)
    assert len(small) <= 15, [q["sql"][:80] for q in small.captured_queries]
