"""The analysis workflow as data: the statuses a revision of a risk analysis goes through.

Every change goes through `services.analysis_change_status`, which checks this table and adds
an append-only `StatusChange` row. Approving a revision supersedes the one approved before it
(the service does that step, by the APPROVED → SUPERSEDED row below). A new revision is not a
status change: `services.analysis_revise` copies a revision that has left draft
(`REVISABLE`) into a new draft.
"""

from naboskap.risk.models import Analysis

Status = Analysis.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.REVIEW},
    Status.REVIEW: {Status.DRAFT, Status.APPROVED},
    Status.APPROVED: {Status.SUPERSEDED},
    Status.SUPERSEDED: set(),
}

# The changes a person chooses on the analysis page (a subset of the table above);
# superseding follows from approving a newer revision.
BY_HAND: dict[str, list[str]] = {
    Status.DRAFT: [Status.REVIEW],
    Status.REVIEW: [Status.DRAFT, Status.APPROVED],
}

# Only a revision that has left draft is copied into a new one; a draft is changed instead.
REVISABLE = {Status.REVIEW, Status.APPROVED, Status.SUPERSEDED}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())
