"""The incident log's workflow as data: the statuses of an incident and the changes allowed.

Every change goes through `services.follow_up_add` or `services.incident_set_status`, which
check this table, and adds an append-only `IncidentStatusChange` row.
"""

from naboskap.facility.models import Incident

Status = Incident.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.FOLLOWED_UP, Status.CLOSED},
    Status.FOLLOWED_UP: {Status.CLOSED},
    Status.CLOSED: {Status.OPEN},  # reopened, with a note that says why
}

# The changes a person chooses in the status form (a subset of the table above). "Followed up"
# is not chosen: writing the first follow-up of an open incident moves it there (`BY_FOLLOW_UP`).
BY_HAND: dict[str, set[str]] = {
    Status.OPEN: {Status.CLOSED},
    Status.FOLLOWED_UP: {Status.CLOSED},
    Status.CLOSED: {Status.OPEN},
}
BY_FOLLOW_UP: dict[str, str] = {Status.OPEN: Status.FOLLOWED_UP}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())
