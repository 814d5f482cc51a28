"""The analysis workflow table, walked through the service: every allowed change works, every
other one is refused and leaves the analysis and its history as they were."""

import pytest

from naboskap.risk import services
from naboskap.risk.models import Analysis, StatusChange
from naboskap.risk.tests.factories import make_analysis
from naboskap.risk.workflow import BY_HAND, REVISABLE, TRANSITIONS, Status, allowed


def move(analysis, to_status, by=None):
    return services.analysis_change_status(analysis=analysis, to_status=to_status, changed_by=by)


def reach(analysis, target):
    """Walk the shortest allowed path from the analysis's status to `target`."""
    paths = {analysis.status: []}
    queue = [analysis.status]
    while queue:
        state = queue.pop(0)
        for nxt in sorted(TRANSITIONS[state]):
            if nxt not in paths:
                paths[nxt] = [*paths[state], nxt]
                queue.append(nxt)
    for step in paths[target]:
        move(analysis, step)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a in Status.values for b in Status.values if a != b],
)
def test_every_change_is_allowed_or_refused_as_the_table_says(world, from_status, to_status):
    analysis = make_analysis(world.project)
    reach(analysis, from_status)
    analysis.refresh_from_db()
    assert analysis.status == from_status
    rows = StatusChange.objects.filter(analysis=analysis).count()
    if allowed(from_status, to_status):
        move(analysis, to_status, by=world.users["coordinator"])
        analysis.refresh_from_db()
        assert analysis.status == to_status
        last = StatusChange.objects.filter(analysis=analysis).order_by("pk").last()
        assert (last.from_status, last.to_status) == (from_status, to_status)
        assert last.changed_by == world.users["coordinator"]
        assert StatusChange.objects.filter(analysis=analysis).count() == rows + 1
    else:
        with pytest.raises(services.RiskError):
            move(analysis, to_status)
        analysis.refresh_from_db()
        assert analysis.status == from_status
        assert StatusChange.objects.filter(analysis=analysis).count() == rows


def test_the_table_covers_every_status_and_the_page_offers_only_allowed_changes():
    assert set(TRANSITIONS) == set(Status.values)
    for status, targets in BY_HAND.items():
        assert targets and all(allowed(status, target) for target in targets), status


@pytest.mark.parametrize("status", Status.values)
def test_only_a_revision_that_has_left_draft_is_revised(world, status):
    analysis = make_analysis(world.project)
    reach(analysis, status)
    analysis.refresh_from_db()
    if status in REVISABLE:
        revision = services.analysis_revise(analysis=analysis, created_by=None)
        assert (revision.status, revision.revision) == (Status.DRAFT, analysis.revision + 1)
    else:
        with pytest.raises(services.RiskError):
            services.analysis_revise(analysis=analysis, created_by=None)
        assert Analysis.objects.filter(series=analysis.series).count() == 1


def test_approving_a_revision_supersedes_the_one_approved_before(world):
    first = make_analysis(world.project)
    reach(first, Status.APPROVED)
    second = services.analysis_revise(analysis=first, created_by=None)
    reach(second, Status.APPROVED)
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    last = StatusChange.objects.filter(analysis=first).order_by("pk").last()
    assert (last.from_status, last.to_status) == (Status.APPROVED, Status.SUPERSEDED)
