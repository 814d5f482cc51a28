"""The scheduled jobs as background tasks: a worker's scheduler claims a job that is due and
queues it here, so it runs in the worker's queue like any other work."""

from django_tasks import task

from naboskap.scheduling import services


@task()
def run_job(run_id: int) -> None:
    services.run(run_id)
