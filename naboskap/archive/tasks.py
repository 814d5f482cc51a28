"""The archive's background work: sending what waits (`delivery`)."""

from django_tasks import task

from naboskap.archive import delivery


@task()
def send() -> int:
    return delivery.send_due()
