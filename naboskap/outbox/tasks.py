"""The outbox's background work: sending what is due (queued by `services.queue`)."""

from django_tasks import task

from naboskap.outbox import services


@task()
def deliver() -> int:
    return services.send_due()
