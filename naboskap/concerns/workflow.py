"""The concern workflow as data: states and the transitions allowed between them.

Every change goes through `services.concern_transition`, which checks this table, and adds an
append-only `StatusChange` row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the reporter")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class CancelReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another concern")
    NOT_OURS = "not_ours", _("Not the municipality's responsibility")
    SPAM = "spam", _("Spam or abuse")


OPEN = {Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING}
FINISHED = {Status.CLOSED, Status.CANCELLED}

TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.CANCELLED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.WAITING, Status.ANSWERED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.WAITING, Status.ANSWERED, Status.CANCELLED},
    Status.WAITING: {Status.IN_PROGRESS, Status.ANSWERED, Status.CANCELLED},
    Status.ANSWERED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: {Status.IN_PROGRESS},  # reopened
    Status.CANCELLED: {Status.IN_PROGRESS},  # reopened
}

# What the reporter's own actions do to a case, as transitions of the table above (checked
# there too): a reply moves a case that waits for the reporter back to work, and a request
# to reopen brings an answered or recently closed case back. No row: the status stays.
BY_REPORTER: dict[str, dict[str, str]] = {
    "reply": {Status.WAITING: Status.IN_PROGRESS},
    "reopen": {Status.ANSWERED: Status.IN_PROGRESS, Status.CLOSED: Status.IN_PROGRESS},
}

# What the reporter reads for each status, in plain language.
PUBLIC_TEXT = {
    Status.RECEIVED: _("We have received your report."),
    Status.ACKNOWLEDGED: _("We have read your report and will follow it up."),
    Status.IN_PROGRESS: _("We are working on it."),
    Status.WAITING: _("We have asked you a question. Please answer below."),
    Status.ANSWERED: _("We have answered. Read the answer below."),
    Status.CLOSED: _("The case is closed."),
    Status.CANCELLED: _("The case is closed without further follow-up."),
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())
