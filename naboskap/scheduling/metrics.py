"""The scheduled jobs in the Prometheus metrics (naboskap.lib.metrics): runs by outcome,
which jobs need attention, and how many workers are running."""

from django.db.models import Count

from naboskap.scheduling import services
from naboskap.scheduling.models import JobRun


def job_runs():
    rows = JobRun.objects.values_list("job", "status").annotate(n=Count("pk")).order_by()
    return [((job, status), n) for job, status, n in rows]


def jobs_late():
    return [((state.job.name,), int(state.warning)) for state in services.states()]


def workers_alive():
    return [((), len(services.workers_alive()))]
