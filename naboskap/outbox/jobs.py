"""The outbox's periodic jobs (naboskap.scheduling.jobs): sending what waits for another
attempt, and deleting old emails."""

from naboskap.outbox import services
from naboskap.scheduling.jobs import Counts


def send_waiting(counts: Counts) -> None:
    counts.add("emails", count=services.send_due())


def prune(counts: Counts) -> None:
    counts.add("old_emails", count=services.prune())
