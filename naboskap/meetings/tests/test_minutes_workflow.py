"""The minutes' workflow table, walked through the services: every allowed change works, every
other one is refused and leaves the minutes as they were."""

import pytest

from naboskap.meetings.minutes import services
from naboskap.meetings.minutes.workflow import ON_CHANGE, TRANSITIONS, Status, allowed
from naboskap.meetings.models import Minutes
from naboskap.meetings.tests.factories import make_body, make_meeting


def move(minutes, to_status):
    """Each status has its one service; "draft" is where a change to the text leads."""
    if to_status == Status.COMMENTS:
        services.minutes_send_for_comments(minutes=minutes)
    elif to_status == Status.APPROVED:
        services.minutes_approve(minutes=minutes, approved_by=None)
    else:
        services.minutes_edit(minutes=minutes, summary="Rettet en skrivefeil.")


def reach(minutes, target):
    """Walk the shortest allowed path from the minutes' status to `target`."""
    paths = {minutes.status: []}
    queue = [minutes.status]
    while queue:
        state = queue.pop(0)
        for nxt in sorted(TRANSITIONS[state]):
            if nxt not in paths:
                paths[nxt] = [*paths[state], nxt]
                queue.append(nxt)
    for step in paths[target]:
        move(minutes, step)


@pytest.fixture
def minutes(world):
    meeting = make_meeting(world.project, body=make_body(world.project), days=-1)
    services.agenda_item_add(meeting=meeting, title="Parkering")
    return services.minutes_start(meeting=meeting, created_by=None)


def stored(minutes) -> Minutes:
    return Minutes.objects.get(pk=minutes.pk)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a in Status.values for b in Status.values if a != b],
)
def test_every_change_is_allowed_or_refused_as_the_table_says(minutes, from_status, to_status):
    reach(minutes, from_status)
    before = stored(minutes)
    assert before.status == from_status
    if allowed(from_status, to_status):
        move(minutes, to_status)
        after = stored(minutes)
        assert after.status == to_status
        # Only a change to approved minutes starts a new version.
        assert after.version == before.version + (from_status in ON_CHANGE)
    elif to_status == Status.DRAFT:
        # A change to minutes sent for comments is made, and they stay with the members.
        move(minutes, to_status)
        after = stored(minutes)
        assert (after.status, after.version) == (from_status, before.version)
        assert after.summary == "Rettet en skrivefeil."
    else:
        with pytest.raises(services.MinutesError):
            move(minutes, to_status)
        after = stored(minutes)
        assert (after.status, after.version) == (from_status, before.version)


def test_the_table_covers_every_status_and_a_change_only_leads_where_it_allows():
    assert set(TRANSITIONS) == set(Status.values)
    assert all(allowed(a, b) for a, b in ON_CHANGE.items())


def test_approving_keeps_each_version_and_a_change_starts_the_next(minutes):
    for step in [Status.APPROVED, Status.DRAFT, Status.COMMENTS, Status.APPROVED]:
        move(minutes, step)
    assert list(minutes.versions.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert stored(minutes).status == Status.APPROVED
