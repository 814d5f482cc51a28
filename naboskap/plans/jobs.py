"""The measures' periodic job (naboskap.scheduling.jobs): the weekly overdue reminders."""

from naboskap.plans.tasks import overdue_measure_reminders
from naboskap.scheduling.jobs import Counts


def remind_overdue(counts: Counts) -> None:
    overdue_measure_reminders(counts=counts)
