from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from naboskap.conftest import client_for, enrol_totp
from naboskap.projects.models import Project, Update
from naboskap.tenancy.models import Membership, Role


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_once_and_prints_a_login_per_role(db):
    first = load()
    counts = (Project.objects.count(), Update.objects.count(), Membership.objects.count())
    second = load()
    assert "already loaded" in second
    assert (Project.objects.count(), Update.objects.count(), Membership.objects.count()) == counts
    with translation.override("en"):  # the logins are printed in English
        labels = [str(role.label) for role in Role]
    for label in labels:
        assert label in first
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_demo_projects_follow_the_two_seed_examples(db):
    load()
    solbakken = Project.objects.get(slug="solbakken")
    assert (
        solbakken.dwellings_with_tenancy,
        solbakken.dwellings_temporary,
        solbakken.dwellings_emergency,
    ) == (23, 4, 3)
    assert solbakken.phase == "operation"
    lindeveien = Project.objects.get(slug="lindeveien")
    assert lindeveien.phase == "planning"
    assert lindeveien.participating_units.count() >= 3


def test_every_demo_page_has_something_to_show(db):
    load()
    for project in Project.objects.all():
        response = Client().get(project.get_public_url())
        assert response.status_code == 200
        assert project.updates.filter(published_at__isnull=False).first().title in (
            response.content.decode()
        )
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="koordinator")
    enrol_totp(coordinator)
    client = client_for(coordinator)
    for project in Project.objects.all():
        assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200


def test_the_demo_tells_one_story_about_its_dates_and_figures(db):
    """What every evaluator sees first agrees with itself: the dashboard's deadline figures
    are those of the concerns the demo loaded, deadlines follow from when each concern came
    in, the inbox has something overdue and something due this week, and Lindeveien's
    dialogue meeting has one date everywhere it is mentioned."""
    import datetime
    import statistics

    from naboskap.concerns.models import Concern
    from naboskap.concerns.workdays import add_working_days
    from naboskap.concerns.workflow import OPEN, Status
    from naboskap.demo.clock import DIALOGUE_HELD_DAYS_AGO
    from naboskap.insights import metrics
    from naboskap.meetings.models import Meeting
    from naboskap.risk.models import AnalysisMeeting
    from naboskap.stakeholders.models import Interaction, ProcessEvent
    from naboskap.tenancy.models import Municipality

    load()
    today = timezone.localdate()
    municipality = Municipality.objects.get(slug="fjordvik")
    concerns = list(Concern.objects.filter(municipality=municipality).select_related("category"))
    assert len(concerns) >= 10

    for concern in concerns:
        received = timezone.localdate(concern.created_at)
        assert concern.acknowledge_due == add_working_days(
            received, concern.category.acknowledge_days
        ), concern.reference
        assert concern.answer_due == add_working_days(received, concern.category.answer_days)
        if concern.first_answered_at:
            assert concern.created_at < concern.first_answered_at <= timezone.now()

    period = metrics.default_period(today)
    counted = [
        c
        for c in concerns
        if c.status != Status.CANCELLED
        and period.start <= timezone.localdate(c.created_at) <= period.end
    ]
    answered = [c for c in counted if c.first_answered_on]
    overdue = [
        c
        for c in counted
        if c.status in OPEN
        and (c.answer_due < today or (c.acknowledged_at is None and c.acknowledge_due < today))
    ]
    expected_median = statistics.median(
        (c.first_answered_at - c.created_at).total_seconds() / 86400 for c in answered
    )
    figures = metrics.deadlines(municipality, start=period.start, end=period.end)
    assert figures.received == len(counted)
    assert figures.answered == len(answered)
    assert figures.answered_in_time == sum(c.first_answered_on <= c.answer_due for c in answered)
    assert figures.overdue == len(overdue)
    assert figures.median_days_to_answer == pytest.approx(expected_median, abs=0.1)

    # A demo worth looking at: some in time, some late, some overdue, some due this week.
    assert 0 < figures.answered_in_time < figures.answered
    assert figures.median_days_to_answer < 10
    assert overdue
    assert any(
        # (a week, or a little more when public holidays fall in it)
        c.status in OPEN and today <= c.answer_due <= today + datetime.timedelta(days=10)
        for c in counted
    )

    # Lindeveien's dialogue meeting with the ROS analysis: one date everywhere.
    held = today - datetime.timedelta(days=DIALOGUE_HELD_DAYS_AGO)
    meeting = Meeting.objects.get(
        project__slug="lindeveien", kind="dialogue", starts_at__lt=timezone.now()
    )
    assert timezone.localdate(meeting.starts_at) == held
    assert list(
        AnalysisMeeting.objects.filter(analysis__project__slug="lindeveien").values_list(
            "held_on", flat=True
        )
    ) == [held]
    timeline = ProcessEvent.objects.get(title__startswith="Dialogmøte med ROS-analyse")
    assert timeline.occurred_on == held
    contact = Interaction.objects.get(summary__startswith="Dialogmøte med ROS-analyse")
    assert contact.occurred_on == held
