"""Periodic jobs (listed in naboskap.scheduling.jobs: `send_webhooks`, `prune_webhooks`): the
safety net that sends what waits, should the task queued for its next attempt be lost, and
pruning."""

from naboskap.scheduling.jobs import Counts
from naboskap.webhooks import delivery


def send_waiting(counts: Counts) -> None:
    counts.add("webhooks", count=delivery.send_due())


def prune(counts: Counts) -> None:
    counts.add("old_webhook_deliveries", count=delivery.prune())
