"""The threads that run inside every worker process beside its loop: the scheduler, which
every half minute claims the jobs that are due and queues them for the worker
(services.claim_due) and queues again the tasks of workers that are gone
(services.requeue_orphaned); and the heartbeat, which says the worker is alive."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from naboskap.scheduling import services

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 30


class Scheduler(threading.Thread):
    def __init__(self, interval: float = INTERVAL_SECONDS) -> None:
        super().__init__(name="naboskap-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.tick()
            self.stopped.wait(self.interval)

    def tick(self) -> None:
        close_old_connections()
        try:
            for job_run in services.claim_due():
                logger.info("Queued job %s due %s", job_run.job, job_run.due_at.isoformat())
            services.requeue_orphaned()
        except Exception:
            # The database restarting, say: try again at the next tick.
            logger.exception("The scheduler could not check the jobs; trying again")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()


class Heartbeat(threading.Thread):
    """Says every WORKER_HEARTBEAT_SECONDS that the worker `worker_id` is alive
    (services.worker_beat), and that it stopped when it stops. A worker killed outright
    stops saying it; the tasks it was running are then queued again by another worker's
    scheduler."""

    def __init__(
        self, worker_id: str, interval: float | None = None, *, wait_first: bool = False
    ) -> None:
        super().__init__(name="naboskap-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval or settings.WORKER_HEARTBEAT_SECONDS
        # A short-lived run (--batch) says it first after one interval: most are over by
        # then, and none holds a task long enough to be missed before it has said it.
        self.wait_first = wait_first
        self.stopped = threading.Event()
        self.started_at = timezone.now()

    def run(self) -> None:
        if self.wait_first and self.stopped.wait(self.interval):
            return
        while not self.stopped.is_set():
            self.beat()
            self.stopped.wait(self.interval)

    def beat(self) -> None:
        close_old_connections()
        try:
            services.worker_beat(
                worker_id=self.worker_id,
                hostname=socket.gethostname(),
                pid=os.getpid(),
                started_at=self.started_at,
            )
        except Exception:
            logger.exception("The worker could not say it is alive; trying again")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=10)  # a beat in flight would record the worker again
        try:
            services.worker_stopped(self.worker_id)
        except Exception:  # the database is gone: the record expires by itself
            logger.warning("The worker could not say it stopped")
