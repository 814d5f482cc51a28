"""Running the periodic jobs: finding what is due, claiming it once among all workers,
running it with a record of what it did, and telling when a job is late."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from cronsim import CronSim
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from naboskap.scheduling import jobs
from naboskap.scheduling.jobs import Counts, Job
from naboskap.scheduling.models import JobRun, Worker

logger = logging.getLogger(__name__)

# A job is late when its last due time passed this long ago without a finished run.
LATE_AFTER = timedelta(minutes=30)
# A record of a worker gone is kept a day (settings.WORKER_LOST_SECONDS: when it is gone).
WORKER_FORGOTTEN_AFTER = timedelta(days=1)
UNFINISHED = (JobRun.Status.QUEUED, JobRun.Status.RUNNING)


def latest_due(schedule: str, now: datetime) -> datetime:
    """The last time at or before `now` the schedule names, in the current time zone."""
    # Going back, CronSim starts before the second it is given: a second on includes `now`.
    return next(CronSim(schedule, timezone.localtime(now) + timedelta(seconds=1), reverse=True))


def next_due(schedule: str, now: datetime) -> datetime:
    return next(CronSim(schedule, timezone.localtime(now)))


def claim_due(now: datetime | None = None) -> list[JobRun]:
    """Claim every job whose latest due time has no run yet, and queue it for the worker.

    A job missed while no worker ran is run once, for its latest due time, not once for each
    time missed. Several workers may call this at once: the unique (job, due time) lets one
    of them claim it. Runs whose worker died are claimed again (`take_over_stale`).
    """
    from naboskap.scheduling.tasks import run_job

    now = now or timezone.now()
    claimed = []
    for job in jobs.JOBS:
        schedule = jobs.schedule_of(job)
        if schedule is None:
            continue
        due_at = latest_due(schedule, now)
        if JobRun.objects.filter(job=job.name, due_at__gte=due_at).exists():
            continue
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job.name, due_at=due_at, claimed_at=now)
                transaction.on_commit(lambda pk=run.pk: run_job.enqueue(pk))
        except IntegrityError:
            continue  # another worker claimed it
        claimed.append(run)
    return claimed + take_over_stale(now)


def take_over_stale(now: datetime) -> list[JobRun]:
    """Queue again the runs whose worker stopped before finishing them (killed, or the
    machine went down): jobs are safe to run twice, and a conditional update lets only one
    worker take each over."""
    from naboskap.scheduling.tasks import run_job

    taken = []
    unfinished = JobRun.objects.filter(status__in=UNFINISHED)
    for run in unfinished:
        job = _job_or_none(run.job)
        if job is None or run.claimed_at > now - job.timeout:
            continue
        updated = JobRun.objects.filter(pk=run.pk, claimed_at=run.claimed_at).update(
            status=JobRun.Status.QUEUED, claimed_at=now, attempts=F("attempts") + 1
        )
        if updated:
            logger.warning(
                "Job %s due %s was left unfinished; running it again", run.job, run.due_at
            )
            transaction.on_commit(lambda pk=run.pk: run_job.enqueue(pk))
            taken.append(run)
    return taken


def run(run_id: int) -> JobRun | None:
    """Run a claimed job and record its outcome. A failure is recorded and raised again, so
    the task shows as failed too."""
    job_run = JobRun.objects.filter(pk=run_id).first()
    if job_run is None or job_run.status in (JobRun.Status.DONE, JobRun.Status.FAILED):
        return None
    job = _job_or_none(job_run.job)
    if job is None:
        return None
    job_run.status, job_run.started_at = JobRun.Status.RUNNING, timezone.now()
    job_run.save(update_fields=["status", "started_at"])
    counts = Counts()
    try:
        job.run(counts)
    except Exception as exc:
        job_run.status, job_run.error = JobRun.Status.FAILED, _error_text(exc)
        raise
    else:
        job_run.status, job_run.error = JobRun.Status.DONE, ""
    finally:
        job_run.finished_at = timezone.now()
        job_run.counts = counts.as_json()
        job_run.save(update_fields=["status", "error", "finished_at", "counts"])
    return job_run


def run_now(name: str, now: datetime | None = None) -> JobRun:
    """Run a job at once, outside its schedule (the `run_job` command), with the same record."""
    now = now or timezone.now()
    jobs.by_name(name)
    job_run = JobRun.objects.create(job=name, due_at=now, claimed_at=now)
    run(job_run.pk)
    job_run.refresh_from_db()
    return job_run


@dataclass
class JobState:
    """One job as the administrator's page and /healthz show it."""

    job: Job
    schedule: str | None
    last: JobRun | None
    next_at: datetime | None
    late: bool

    @property
    def failed(self) -> bool:
        return self.last is not None and self.last.status == JobRun.Status.FAILED

    @property
    def warning(self) -> bool:
        return self.late or self.failed

    def counts_for(self, municipality_id: int | None) -> dict[str, int]:
        """What the last run did in one municipality, or in all of them when None."""
        if self.last is None:
            return {}
        if municipality_id is not None:
            return dict(self.last.counts.get(str(municipality_id), {}))
        total: dict[str, int] = {}
        for counts in self.last.counts.values():
            for what, count in counts.items():
                total[what] = total.get(what, 0) + count
        return total


def states(now: datetime | None = None) -> list[JobState]:
    """Every job with its last run, when it runs next, and whether it is late: its latest
    due time is more than LATE_AFTER ago and no run for it (or later) has finished."""
    now = now or timezone.now()
    latest = _latest_runs()
    result = []
    for job in jobs.JOBS:
        schedule = jobs.schedule_of(job)
        last = latest.get(job.name)
        late = False
        if schedule is not None:
            expected = latest_due(schedule, now - LATE_AFTER)
            late = (
                last is None
                or last.due_at < expected
                or (last.status in UNFINISHED and last.claimed_at < now - job.timeout)
            )
        result.append(
            JobState(
                job=job,
                schedule=schedule,
                last=last,
                next_at=next_due(schedule, now) if schedule else None,
                late=late,
            )
        )
    return result


def warnings(now: datetime | None = None) -> dict[str, list[str]]:
    """The names of the jobs that are late and of those whose last run failed, and how many
    workers are running."""
    found = states(now)
    return {
        "late": [state.job.name for state in found if state.late],
        "failed": [state.job.name for state in found if state.failed],
        "workers": len(workers_alive(now)),
    }


def _latest_runs() -> dict[str, JobRun]:
    """Each job's latest run, in one query."""
    newest = JobRun.objects.filter(job=OuterRef("job")).order_by("-due_at", "-pk").values("pk")
    runs = JobRun.objects.filter(job__in=[job.name for job in jobs.JOBS], pk=Subquery(newest[:1]))
    return {job_run.job: job_run for job_run in runs}


def _job_or_none(name: str) -> Job | None:
    try:
        return jobs.by_name(name)
    except KeyError:
        return None


def _error_text(exc: Exception) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()[:2000]


def lost_after() -> timedelta:
    """How long a worker may stay silent before it counts as gone."""
    return timedelta(seconds=settings.WORKER_LOST_SECONDS)


def worker_beat(*, worker_id: str, hostname: str, pid: int, started_at: datetime) -> None:
    """Record that the worker `worker_id` is alive now."""
    Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now()},
        create_defaults={
            "hostname": hostname[:255],
            "pid": pid,
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def worker_stopped(worker_id: str) -> None:
    Worker.objects.filter(worker_id=worker_id).delete()


def workers_alive(now: datetime | None = None) -> list[Worker]:
    now = now or timezone.now()
    return list(Worker.objects.filter(seen_at__gte=now - lost_after()))


def requeue_orphaned(now: datetime | None = None) -> int:
    """Queue again every task left running by a worker that is gone (killed with SIGKILL, its
    machine lost): nothing else would ever finish it. Tasks are written to be safe to run
    twice (ADR 0008); a stored document's render takes over its dead worker's claim
    (`documents.tasks.render_document`). Returns how many were queued again."""
    now = now or timezone.now()
    cutoff = now - lost_after()
    alive = set(Worker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).only("pk", "worker_ids")
    orphaned = [
        task.pk for task in running if not task.worker_ids or task.worker_ids[-1] not in alive
    ]
    requeued = 0
    if orphaned:
        requeued = DBTaskResult.objects.filter(
            pk__in=orphaned, status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ).update(status=TaskResultStatus.READY, started_at=None)
        logger.warning("Queued again %d task(s) left running by a worker that is gone", requeued)
    Worker.objects.filter(seen_at__lt=now - WORKER_FORGOTTEN_AFTER).delete()
    return requeued
