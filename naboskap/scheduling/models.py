"""A record of every run of a scheduled job: one row per job and time it was due."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobRun(models.Model):
    """The run of `job` for the time it was due (`due_at`). The pair is unique: several
    workers that find the same job due create one row between them, and only the one that
    created it runs the job."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job run", "Queued")
        RUNNING = "running", pgettext_lazy("job run", "Running")
        DONE = "done", pgettext_lazy("job run", "Done")
        FAILED = "failed", pgettext_lazy("job run", "Failed")

    job = models.CharField(_("job"), max_length=60)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    claimed_at = models.DateTimeField(_("claimed"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Claimed again after its worker stopped in the middle (see services.take_over_stale).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    # What it did, per municipality: {"<municipality id>" or "": {"<what>": count}}.
    counts = models.JSONField(_("what it did"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-due_at", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="jobrun_once_per_due_time")
        ]
        indexes = [models.Index(fields=["job", "-due_at"], name="jobrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.due_at:%Y-%m-%d %H:%M}"


class Worker(models.Model):
    """A running `manage.py db_worker` process, as it last said it was alive: every
    `WORKER_HEARTBEAT_SECONDS` while it runs (`scheduler.Heartbeat`), deleted when it stops.
    A task left running by a worker that stopped saying so (killed, its machine gone) is
    queued again (`services.requeue_orphaned`)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["hostname", "started_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
