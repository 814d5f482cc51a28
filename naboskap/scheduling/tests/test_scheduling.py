"""The worker runs the periodic jobs itself: once per due time among all workers, with a
record of what each run did that the municipality's administrator sees, and a warning (there
and in /healthz) when a job is late or failed."""

import os
import time
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, run_tasks
from naboskap.scheduling import jobs, services
from naboskap.scheduling.checks import schedules_valid
from naboskap.scheduling.models import JobRun
from naboskap.scheduling.scheduler import Scheduler
from naboskap.testing.factories import make_concern

OSLO = ZoneInfo("Europe/Oslo")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def overdue_concern(world):
    unit = world.project.responsible_unit
    unit.lead = world.users["coordinator"]
    unit.save()
    concern = make_concern(world.project)
    Concern.objects.filter(pk=concern.pk).update(
        answer_due=timezone.localdate() - timedelta(days=2)
    )
    return concern


def test_the_latest_and_next_due_times_follow_the_cron_expression_in_oslo_time():
    now = at(2026, 12, 7, 1, 30)
    assert services.latest_due("30 2 * * *", now) == at(2026, 12, 6, 2, 30)
    assert services.next_due("30 2 * * *", now) == at(2026, 12, 7, 2, 30)
    assert services.latest_due("0 7 * * 1", now) == at(2026, 11, 30, 7, 0)
    # Exactly at the due time: that time is the latest.
    assert services.latest_due("5 * * * *", at(2026, 12, 7, 1, 5)) == at(2026, 12, 7, 1, 5)


@pytest.mark.django_db
def test_each_job_is_claimed_once_for_its_latest_due_time_however_many_workers_ask():
    now = at(2026, 12, 7, 8, 0)
    first = services.claim_due(now)
    assert sorted(run.job for run in first) == sorted(job.name for job in jobs.JOBS)
    retention = JobRun.objects.get(job="concern_retention")
    # Missed while no worker ran: once, for the latest time (not once per missed night).
    assert retention.due_at == at(2026, 12, 7, 2, 30)
    assert retention.status == JobRun.Status.QUEUED
    # A second worker (or the next tick) finds nothing more to claim.
    assert services.claim_due(now) == []
    assert services.claim_due(now + timedelta(seconds=50)) == []
    assert JobRun.objects.count() == len(jobs.JOBS)
    # The next hour, only the hourly job and the ones every few minutes are due again (and
    # their first runs, never run by a worker, are taken over: their timeout passed).
    later = services.claim_due(at(2026, 12, 7, 9, 6))
    assert {run.job for run in later} == {
        "meeting_reminders",
        "compute_effects",
        "send_outbox",
        "send_webhooks",
        "send_archive",
        "archive_receipts",
    }
    assert JobRun.objects.get(job="meeting_reminders", due_at=at(2026, 12, 7, 9, 5))


@pytest.mark.django_db
def test_a_worker_that_lost_the_race_for_a_due_time_claims_nothing(
    django_capture_on_commit_callbacks,
):
    now = at(2026, 12, 7, 8, 0)
    due_at = services.latest_due("30 2 * * *", now)
    JobRun.objects.create(job="concern_retention", due_at=due_at, claimed_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        claimed = services.claim_due(now)
    assert "concern_retention" not in {run.job for run in claimed}
    assert JobRun.objects.filter(job="concern_retention").count() == 1
    queued = DBTaskResult.objects.filter(task_path="naboskap.scheduling.tasks.run_job")
    assert queued.count() == len(jobs.JOBS) - 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_due_job_and_records_what_it_did_per_municipality(world):
    concern = overdue_concern(world)
    services.claim_due()
    run_tasks()
    job_run = JobRun.objects.get(job="overdue_concern_reminders")
    assert job_run.status == JobRun.Status.DONE
    assert job_run.started_at is not None and job_run.finished_at >= job_run.started_at
    assert job_run.counts == {str(world.municipality.pk): {"emails": 1}}
    reminder = next(m for m in mail.outbox if concern.reference in m.body)
    assert reminder.to == [world.users["coordinator"].email]
    assert not services.warnings()["late"]
    assert not services.warnings()["failed"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_is_recorded_with_its_error_and_warned_about(world, monkeypatch, client):
    def broken(counts):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("naboskap.concerns.jobs.apply_retention", broken)
    services.claim_due()
    run_tasks()
    job_run = JobRun.objects.get(job="concern_retention")
    assert job_run.status == JobRun.Status.FAILED
    assert "RuntimeError: the disk is full" in job_run.error
    assert services.warnings()["failed"] == ["concern_retention"]
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["jobs"] == {"late": [], "failed": ["concern_retention"], "workers": 0}
    # The other jobs ran nonetheless.
    assert JobRun.objects.filter(status=JobRun.Status.DONE).count() == len(jobs.JOBS) - 1


@pytest.mark.django_db
def test_a_job_that_has_not_run_when_it_should_is_late(client):
    now = at(2026, 12, 7, 8, 0)
    assert set(services.warnings(now)["late"]) == {job.name for job in jobs.JOBS}
    health = client.get("/healthz")
    assert health.status_code == 200
    assert "concern_retention" in health.json()["jobs"]["late"]
    # Done for its latest due time: no longer late.
    JobRun.objects.create(
        job="concern_retention",
        due_at=at(2026, 12, 7, 2, 30),
        claimed_at=now,
        status=JobRun.Status.DONE,
        finished_at=now,
    )
    assert "concern_retention" not in services.warnings(now)["late"]
    # The next night's run is not late until half an hour after its time.
    assert "concern_retention" not in services.warnings(at(2026, 12, 8, 2, 50))["late"]
    assert "concern_retention" in services.warnings(at(2026, 12, 8, 3, 1))["late"]


@pytest.mark.django_db
def test_a_run_left_unfinished_by_a_killed_worker_is_run_again(django_capture_on_commit_callbacks):
    now = at(2026, 12, 7, 8, 0)
    services.claim_due(now - timedelta(hours=3))
    JobRun.objects.filter(job="concern_retention").update(status=JobRun.Status.RUNNING)
    assert "concern_retention" in services.warnings(now)["late"]
    with django_capture_on_commit_callbacks(execute=True):
        again = services.take_over_stale(now)
    assert "concern_retention" in {run.job for run in again}
    job_run = JobRun.objects.get(job="concern_retention")
    assert (job_run.status, job_run.attempts, job_run.claimed_at) == (
        JobRun.Status.QUEUED,
        2,
        now,
    )
    # Taken over once: a second worker at the same moment takes nothing.
    assert services.take_over_stale(now) == []


@pytest.mark.django_db
def test_an_operator_turns_a_job_off_or_moves_it(settings):
    settings.JOB_SCHEDULES = {"meeting_reminders": "off", "concern_retention": "0 4 * * *"}
    claimed = services.claim_due(at(2026, 12, 7, 8, 0))
    assert "meeting_reminders" not in {run.job for run in claimed}
    assert JobRun.objects.get(job="concern_retention").due_at == at(2026, 12, 7, 4, 0)
    off = next(s for s in services.states() if s.job.name == "meeting_reminders")
    assert (off.schedule, off.next_at, off.late) == (None, None, False)


def test_a_wrong_schedule_or_job_name_stops_the_start(settings):
    settings.JOB_SCHEDULES = {"concern_retention": "every night", "no_such_job": "0 1 * * *"}
    ids = sorted(error.id for error in schedules_valid(None))
    assert ids == ["naboskap.E020", "naboskap.E021"]
    settings.JOB_SCHEDULES = {"concern_retention": "15 1 * * *"}
    assert schedules_valid(None) == []


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_in_the_worker_claims_and_queues_due_jobs():
    scheduler = Scheduler(interval=0.05)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while JobRun.objects.count() < len(jobs.JOBS) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
        scheduler.join(5)
    assert JobRun.objects.count() == len(jobs.JOBS)
    assert DBTaskResult.objects.filter(task_path="naboskap.scheduling.tasks.run_job").count() == (
        len(jobs.JOBS)
    )


@pytest.mark.django_db
def test_the_run_job_command_lists_the_jobs_and_runs_one_now(world):
    out = StringIO()
    call_command("run_job", stdout=out)
    assert "concern_retention" in out.getvalue() and "30 2 * * *" in out.getvalue()
    overdue_concern(world)
    out = StringIO()
    call_command("run_job", "overdue_concern_reminders", stdout=out)
    assert "Done" in out.getvalue()
    job_run = JobRun.objects.get(job="overdue_concern_reminders")
    assert job_run.counts == {str(world.municipality.pk): {"emails": 1}}
    with pytest.raises(CommandError):
        call_command("run_job", "nonsense")


@pytest.mark.django_db
def test_the_administrator_sees_each_job_and_only_their_own_municipalitys_figures(world):
    now = timezone.now()
    JobRun.objects.create(
        job="concern_retention",
        due_at=now - timedelta(hours=1),
        claimed_at=now,
        finished_at=now,
        status=JobRun.Status.DONE,
        counts={
            str(world.municipality.pk): {"contact_erased": 3, "concerns_deleted": 1},
            str(world.other_municipality.pk): {"concerns_deleted": 7},
        },
    )
    JobRun.objects.create(
        job="status_reports",
        due_at=now - timedelta(hours=2),
        claimed_at=now,
        status=JobRun.Status.FAILED,
        error="SMTP",
        finished_at=now,
    )
    response = world.users and client_for(world.users["admin"]).get("/app/administrasjon/jobber/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Oppbevaring: slett kontaktopplysninger og gamle meldinger" in page
    assert "Kontaktopplysninger slettet fra 3 meldinger, 1 melding slettet" in page
    assert "7 meldinger slettet" not in page
    assert "Feilet" in page
    assert "ikke kjørt som de skulle" in page
    other = client_for(world.users["outsider"]).get("/app/administrasjon/jobber/")
    assert other.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_metrics_count_runs_by_outcome_and_flag_the_late_jobs(world):
    from naboskap.lib.metrics import GAUGES

    services.claim_due()
    run_tasks()
    runs = dict(GAUGES["naboskap_job_runs"].sampler())
    assert runs[("concern_retention", "done")] == 1
    assert sum(runs.values()) == len(jobs.JOBS)
    late = dict(GAUGES["naboskap_job_late"].sampler())
    assert late[("concern_retention",)] == 0
    JobRun.objects.filter(job="concern_retention").update(status=JobRun.Status.FAILED)
    assert dict(GAUGES["naboskap_job_late"].sampler())[("concern_retention",)] == 1


@pytest.mark.django_db
def test_old_runs_are_pruned_but_each_jobs_latest_is_kept():
    from naboskap.scheduling.housekeeping import prune_task_results

    old = timezone.now() - timedelta(days=20)
    for hours in (1, 2):
        JobRun.objects.create(
            job="clear_sessions",
            due_at=old - timedelta(hours=hours),
            claimed_at=old,
            finished_at=old,
            status=JobRun.Status.DONE,
        )
    JobRun.objects.create(
        job="concern_retention",
        due_at=old,
        claimed_at=old,
        finished_at=old,
        status=JobRun.Status.DONE,
    )
    prune_task_results(jobs.Counts())
    kept = sorted(JobRun.objects.values_list("job", "due_at"))
    assert kept == [
        ("clear_sessions", old - timedelta(hours=1)),
        ("concern_retention", old),
    ]


class QuietHeartbeat:
    def __init__(self, worker_id: str, **options) -> None:
        self.worker_id = worker_id

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def test_the_worker_carries_on_when_the_database_goes_away(monkeypatch):
    """A database restart raises in django-tasks-db's worker loop; Naboskap's worker waits
    and starts the loop again instead of exiting (a batch run still fails)."""
    from django.db import OperationalError
    from django_tasks_db.management.commands import db_worker as upstream

    from naboskap.scheduling.management.commands import db_worker

    calls = []

    def handle(self, *args, **options):
        calls.append(options.get("batch"))
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    requeued = []
    monkeypatch.setattr(upstream.Command, "handle", handle)
    monkeypatch.setattr(db_worker, "RECONNECT_SECONDS", 0)
    monkeypatch.setattr(db_worker, "requeue_interrupted", requeued.append)
    monkeypatch.setattr(db_worker, "Heartbeat", QuietHeartbeat)  # no database here
    db_worker.Command().handle(scheduler=False, batch=False, reload=False, worker_id="w1")
    assert calls == [False, False]
    assert requeued == ["w1"]  # what it was running when the database went, queued again
    calls.clear()
    with pytest.raises(OperationalError):
        db_worker.Command().handle(scheduler=False, batch=True, reload=False, worker_id="w2")


@pytest.mark.django_db
def test_a_task_interrupted_by_the_database_is_queued_again_by_its_worker():
    from django_tasks_db.models import DBTaskResult

    from naboskap.scheduling.management.commands.db_worker import requeue_interrupted
    from naboskap.scheduling.tasks import run_job

    mine, other = run_job.enqueue(1), run_job.enqueue(2)
    DBTaskResult.objects.filter(pk=mine.id).update(status="RUNNING", worker_ids=["w1"])
    DBTaskResult.objects.filter(pk=other.id).update(status="RUNNING", worker_ids=["w2"])
    assert requeue_interrupted("w1") == 1
    assert DBTaskResult.objects.get(pk=mine.id).status == "READY"
    assert DBTaskResult.objects.get(pk=other.id).status == "RUNNING"  # another worker's


@pytest.mark.django_db(transaction=True)
def test_a_worker_says_it_is_alive_while_it_runs_and_that_it_stopped():
    """Beats are called here, not raced from the thread: the test database (SQLite in
    memory, shared cache) refuses a read while another connection writes."""
    from naboskap.scheduling.models import Worker
    from naboskap.scheduling.scheduler import Heartbeat

    heartbeat = Heartbeat("w1", interval=3600)
    heartbeat.beat()
    first = Worker.objects.get(worker_id="w1")
    assert first.pid == os.getpid() and first.hostname
    time.sleep(0.01)
    heartbeat.beat()
    assert Worker.objects.get(worker_id="w1").seen_at > first.seen_at
    assert [worker.worker_id for worker in services.workers_alive()] == ["w1"]
    heartbeat.start()  # beats at once, then every hour
    heartbeat.stop()  # waits for the beat in flight, then says it stopped
    assert not heartbeat.is_alive()
    assert not Worker.objects.exists()


@pytest.mark.django_db
def test_a_batch_run_says_nothing_before_its_first_interval(monkeypatch):
    """A long-running worker beats at once; a --batch run only after one interval."""
    from naboskap.scheduling.scheduler import Heartbeat

    beats = []
    monkeypatch.setattr(services, "worker_beat", lambda **fields: beats.append(fields))
    running = Heartbeat("worker", interval=3600)
    running.start()
    deadline = time.monotonic() + 10
    while not beats and time.monotonic() < deadline:
        time.sleep(0.01)
    running.stop()
    assert [beat["worker_id"] for beat in beats] == ["worker"]
    beats.clear()
    batch = Heartbeat("batch", interval=3600, wait_first=True)
    batch.start()
    time.sleep(0.2)
    batch.stop()
    assert beats == [] and not batch.is_alive()


def _running(worker_id: str, started_at: datetime) -> int:
    from naboskap.scheduling.tasks import run_job

    task = run_job.enqueue(1)
    DBTaskResult.objects.filter(pk=task.id).update(
        status="RUNNING", worker_ids=["earlier", worker_id], started_at=started_at
    )
    return task.id


@pytest.mark.django_db
def test_the_tasks_of_a_worker_that_is_gone_are_queued_again_and_only_those(client, world):
    from naboskap.scheduling.models import Worker

    now = timezone.now()
    for worker_id, seen in (("alive", 5), ("dead", 300), ("long-gone", 2 * 86400)):
        Worker.objects.create(
            worker_id=worker_id,
            hostname="app1",
            pid=100,
            started_at=now - timedelta(days=3),
            seen_at=now - timedelta(seconds=seen),
        )
    minutes_ago = now - timedelta(minutes=3)
    of_the_dead = _running("dead", minutes_ago)
    of_one_never_seen = _running("unknown", minutes_ago)
    of_the_living = _running("alive", minutes_ago)
    just_begun = _running("dead", now - timedelta(seconds=10))  # may not have said it yet

    assert services.requeue_orphaned(now) == 2
    status = {str(pk): state for pk, state in DBTaskResult.objects.values_list("pk", "status")}
    assert status[of_the_dead] == status[of_one_never_seen] == "READY"
    assert status[of_the_living] == status[just_begun] == "RUNNING"
    assert DBTaskResult.objects.get(pk=of_the_dead).started_at is None
    assert sorted(Worker.objects.values_list("worker_id", flat=True)) == ["alive", "dead"]
    assert services.requeue_orphaned(now) == 0

    # The administrator and /healthz see the worker that is running; with none, a warning.
    page = client_for(world.users["admin"]).get("/app/administrasjon/jobber/")
    assert page.status_code == 200
    assert "Én bakgrunnsprosess kjører." in page.content.decode()
    assert "app1, 100" in page.content.decode()
    assert client.get("/healthz").json()["jobs"]["workers"] == 1
    Worker.objects.all().delete()
    page = client_for(world.users["admin"]).get("/app/administrasjon/jobber/")
    assert "Ingen bakgrunnsprosess kjører" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_it_rendered_a_document_has_it_rendered_by_the_next(world):
    """The render task of a worker that died is queued again; the next worker takes over the
    claim the dead one left (younger than the documents' own 15 minutes) and renders it."""
    from naboskap.documents import services as document_services
    from naboskap.documents.models import Document
    from naboskap.reports import services as report_services

    today = timezone.localdate()
    report = report_services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=today - timedelta(days=30),
        period_end=today,
        language="nb",
    )
    document = document_services.document_for(
        kind="reports.status_report", obj=report, variant="", language="nb"
    )
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.PREPARING, claimed_at=timezone.now(), file=""
    )
    DBTaskResult.objects.all().delete()
    from naboskap.documents.tasks import render_document

    task = render_document.enqueue(document.pk)
    DBTaskResult.objects.filter(pk=task.id).update(
        status="RUNNING", worker_ids=["dead"], started_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.requeue_orphaned() == 1
    run_tasks()
    assert DBTaskResult.objects.get(pk=task.id).return_value == "rendered"
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.file.read().startswith(b"%PDF")
