"""`manage.py db_worker`: django-tasks-db's worker, which also runs Naboskap's periodic jobs
(naboskap.scheduling.jobs) at their times, so a deployment needs no crontab.

Every worker runs the scheduler; the database lets one of them claim each job run. With
`--batch` (run what is queued, then exit) or `--no-scheduler`, no jobs are claimed. Every
worker says it is alive every 20 s (scheduler.Heartbeat), so that the tasks of one killed
outright are queued again by another.
"""

import contextlib
import logging
import os
import time

from django.db import OperationalError, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from naboskap.scheduling.scheduler import Heartbeat, Scheduler

logger = logging.getLogger(__name__)

# After the database went away (restarted, failed over), the worker waits this long and
# carries on, rather than exiting.
RECONNECT_SECONDS = 5


class Command(db_worker.Command):
    help = "Run a database background worker, and the scheduled jobs at their times"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Do not claim the scheduled jobs in this worker (others still may).",
        )

    def handle(self, *args, scheduler: bool = True, **options) -> None:
        # With --reload, the first process only restarts the second, which does the work.
        reloader_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if scheduler and not options.get("batch") and not reloader_parent:
            Scheduler().start()
        heartbeat = None
        if not reloader_parent:
            heartbeat = Heartbeat(options["worker_id"], wait_first=bool(options.get("batch")))
            heartbeat.start()
        try:
            self.work(*args, **options)
        finally:
            if heartbeat is not None:
                heartbeat.stop()

    def work(self, *args, **options) -> None:
        interrupted = False
        while True:
            try:
                if interrupted:
                    requeue_interrupted(options["worker_id"])
                return super().handle(*args, **options)
            except OperationalError:
                if options.get("batch"):
                    raise
                interrupted = True
                logger.exception(
                    "The database went away; the worker tries again in %d s", RECONNECT_SECONDS
                )
                with contextlib.suppress(Exception):
                    connection.close()
                time.sleep(RECONNECT_SECONDS)


def requeue_interrupted(worker_id: str) -> int:
    """The task this worker was running when the database went away is still marked running
    (recording its failure failed too): queue it again. Tasks are written to be safe to run
    twice (ADR 0008). Returns how many were queued again."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    mine = [task.pk for task in running.only("pk", "worker_ids") if worker_id in task.worker_ids]
    if mine:
        logger.warning("Queuing again %d task(s) interrupted by the database", len(mine))
    return DBTaskResult.objects.filter(pk__in=mine, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
