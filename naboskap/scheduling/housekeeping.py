"""Jobs that keep the database tidy: old task results and expired sessions."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.scheduling.jobs import Counts
from naboskap.scheduling.models import JobRun

KEEP_TASK_RESULTS = timedelta(days=14)


def prune_task_results(counts: Counts) -> None:
    """The finished tasks' results older than two weeks (as `prune_db_task_results`), and
    the job runs as old, but for each job's latest."""
    finished_before = timezone.now() - KEEP_TASK_RESULTS
    old = DBTaskResult.objects.finished().filter(finished_at__lte=finished_before)
    counts.add("task_results", count=old.count())
    call_command("prune_db_task_results", queue_name="*", verbosity=0)
    latest = JobRun.objects.filter(job=OuterRef("job")).order_by("-due_at", "-pk").values("pk")
    JobRun.objects.filter(finished_at__lte=finished_before).exclude(
        pk=Subquery(latest[:1])
    ).delete()


def clear_sessions(counts: Counts) -> None:
    before = Session.objects.count()
    call_command("clearsessions")
    counts.add("sessions", count=before - Session.objects.count())
