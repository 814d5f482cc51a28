"""The status reports' periodic job (naboskap.scheduling.jobs): reports whose run is due."""

from naboskap.reports.schedules import schedules_run_due
from naboskap.scheduling.jobs import Counts


def make_due_reports(counts: Counts) -> None:
    schedules_run_due(counts=counts)
