"""The minutes' workflow as data: the statuses of a meeting's minutes and the changes allowed.

Each change has one service: `minutes_send_for_comments` (to "sent for comments"),
`minutes_approve` (to "approved"), and any change to approved minutes (`minutes_edit`, notes,
decisions, attendance, the agenda) starts their next version as a draft (`ON_CHANGE`), so the
approved version stays as it was. Every one of them checks this table.
"""

from naboskap.meetings.models import Minutes

Status = Minutes.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.COMMENTS, Status.APPROVED},
    Status.COMMENTS: {Status.APPROVED},
    Status.APPROVED: {Status.DRAFT},  # only as the next version
}

# What a change to the minutes' text does to their status (no row: the status stays).
ON_CHANGE: dict[str, str] = {Status.APPROVED: Status.DRAFT}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())
