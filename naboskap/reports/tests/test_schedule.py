"""Reports made on a schedule and the emails to politicians."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from naboskap.conftest import make_staff
from naboskap.documents.models import Document
from naboskap.reports import schedules
from naboskap.reports.documents import STATUS_REPORT
from naboskap.reports.models import ReportSchedule, StatusReport
from naboskap.tenancy.models import Role
from naboskap.testing.factories import ProjectFactory


def due_schedule(world, *, project=None, frequency="quarterly") -> ReportSchedule:
    """A schedule whose run is due today (saved, then moved back as if time had passed)."""
    schedule = schedules.schedule_save(
        municipality=world.municipality, project=project, frequency=frequency
    )
    today = datetime.date.today()
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_run_on=schedules.latest_boundary(frequency, today)
    )
    return schedule


@pytest.mark.django_db(transaction=True)
def test_a_due_schedule_makes_a_report_and_emails_only_politicians(world, tasks):
    project_politician = make_staff(world.municipality, Role.POLITICIAN, project=world.project)
    other_project = ProjectFactory(municipality=world.municipality, slug="solbakken")
    elsewhere = make_staff(world.municipality, Role.POLITICIAN, project=other_project)
    foreign = make_staff(world.other_municipality, Role.POLITICIAN)
    schedule = due_schedule(world, project=world.project)
    mail.outbox.clear()
    schedules.schedule_run(schedule.pk)
    tasks()

    report = StatusReport.objects.get()
    today = datetime.date.today()
    boundary = schedules.latest_boundary("quarterly", today)
    assert report.schedule == schedule
    assert report.trigger == StatusReport.Trigger.SCHEDULED
    assert report.created_by is None
    assert report.period_end == boundary - datetime.timedelta(days=1)
    assert report.period_start == schedules.period_before("quarterly", boundary)[0]
    assert Document.objects.get(kind=STATUS_REPORT, object_id=report.pk).file  # by the worker
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.users["politician"].email, project_politician.email])
    for message in mail.outbox:
        assert len(message.to) == 1
        assert reverse("reports:detail", args=[report.pk]) in message.body
        assert not message.attachments  # a link, never the report
    for user in (elsewhere, foreign, world.users["admin"], world.users["coordinator"]):
        assert user.email not in recipients
    schedule.refresh_from_db()
    assert schedule.next_run_on == schedules.next_boundary("quarterly", today)

    # A second run, the daily command and the worker again: nothing more.
    mail.outbox.clear()
    assert schedules.schedule_run(schedule.pk) is None
    call_command("send_status_reports")
    tasks()
    assert StatusReport.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_municipality_report_goes_to_municipality_politicians_only(world, tasks):
    make_staff(world.municipality, Role.POLITICIAN, project=world.project)
    due_schedule(world, frequency="monthly")
    mail.outbox.clear()
    call_command("send_status_reports")
    tasks()
    report = StatusReport.objects.get()
    assert report.project is None
    assert [m.to for m in mail.outbox] == [[world.users["politician"].email]]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_schedule_at_its_time(world, tasks):
    schedule = due_schedule(world)
    # What the service enqueues after a save, for a schedule whose day has come.
    schedules.run_report_schedule.enqueue(schedule.pk)
    schedules.run_report_schedule.enqueue(schedule.pk)  # two workers, or a duplicate in the queue
    tasks()
    assert StatusReport.objects.filter(schedule=schedule).count() == 1


@pytest.mark.django_db
def test_a_paused_schedule_makes_nothing(world):
    schedule = due_schedule(world)
    ReportSchedule.objects.filter(pk=schedule.pk).update(active=False)
    assert schedules.schedules_run_due() == 0
    assert not StatusReport.objects.exists()


def test_periods_of_schedules():
    day = datetime.date(2026, 11, 23)
    assert schedules.latest_boundary("quarterly", day) == datetime.date(2026, 10, 1)
    assert schedules.next_boundary("quarterly", day) == datetime.date(2027, 1, 1)
    assert schedules.next_boundary("monthly", day) == datetime.date(2026, 12, 1)
    assert schedules.period_before("quarterly", datetime.date(2027, 1, 1)) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert schedules.period_before("monthly", datetime.date(2026, 3, 1)) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )


@pytest.mark.django_db
def test_coordinator_sets_the_schedule_and_politician_cannot(world, persona_clients):
    url = reverse("reports:project_schedule", args=[world.project.pk])
    response = persona_clients["coordinator"].post(url, {"frequency": "monthly", "active": "on"})
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get(project=world.project)
    assert schedule.frequency == "monthly"
    assert schedule.next_run_on == schedules.next_boundary("monthly", datetime.date.today())
    page = persona_clients["politician"].get(
        reverse("reports:project_reports", args=[world.project.pk])
    )
    assert page.status_code == 200
    assert url not in page.content.decode()  # no schedule button for the politician
    assert persona_clients["politician"].post(url, {"frequency": "quarterly"}).status_code == 403
    schedule.refresh_from_db()
    assert schedule.frequency == "monthly"


@pytest.mark.django_db
def test_a_bad_frequency_is_refused(world, persona_clients):
    response = persona_clients["admin"].post(reverse("reports:schedule"), {"frequency": "daily"})
    assert response.status_code == 400
    assert not ReportSchedule.objects.exists()
