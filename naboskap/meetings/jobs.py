"""The meetings' periodic job (naboskap.scheduling.jobs): reminders before a meeting."""

from naboskap.meetings.tasks import meeting_reminders
from naboskap.scheduling.jobs import Counts


def remind_invitees(counts: Counts) -> None:
    meeting_reminders(counts=counts)
