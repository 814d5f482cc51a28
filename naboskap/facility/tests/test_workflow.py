"""The incident workflow table, walked through the services: every allowed change works, every
other one is refused and leaves the incident and its history as they were."""

import pytest

from naboskap.facility import services
from naboskap.facility.models import IncidentStatusChange
from naboskap.facility.workflow import BY_FOLLOW_UP, BY_HAND, TRANSITIONS, Status, allowed


def incident_in(world, status):
    """An incident in `status` that has a follow-up, so closing it is possible (an open one
    has been closed and reopened)."""
    incident = services.incident_log(
        project=world.project, by=None, category="damage", description="Knust vindu i oppgangen."
    )
    services.follow_up_add(incident=incident, by=None, text="Glassmester bestilt.")
    if status != Status.FOLLOWED_UP:
        services.incident_set_status(incident=incident, to_status=Status.CLOSED, by=None)
    if status == Status.OPEN:
        services.incident_set_status(
            incident=incident, to_status=Status.OPEN, by=None, note="Ruta er knust igjen."
        )
    incident.refresh_from_db()
    assert incident.status == status
    return incident


def move(incident, to_status, by):
    """A change to "followed up" is made by writing a follow-up; the others by hand."""
    if to_status == Status.FOLLOWED_UP:
        services.follow_up_add(incident=incident, by=by, text="Fulgt opp på nytt.")
    else:
        services.incident_set_status(incident=incident, to_status=to_status, by=by, note="Igjen.")


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a in Status.values for b in Status.values if a != b],
)
def test_every_change_is_allowed_or_refused_as_the_table_says(world, from_status, to_status):
    incident = incident_in(world, from_status)
    rows = IncidentStatusChange.objects.filter(incident=incident).count()
    by = world.users["coordinator"]
    if allowed(from_status, to_status):
        move(incident, to_status, by)
        incident.refresh_from_db()
        assert incident.status == to_status
        last = IncidentStatusChange.objects.filter(incident=incident).order_by("pk").last()
        assert (last.from_status, last.to_status, last.changed_by) == (from_status, to_status, by)
        assert IncidentStatusChange.objects.filter(incident=incident).count() == rows + 1
    else:
        with pytest.raises(services.FacilityError):
            move(incident, to_status, by)
        incident.refresh_from_db()
        assert incident.status == from_status
        assert IncidentStatusChange.objects.filter(incident=incident).count() == rows


def test_the_ways_to_change_are_the_table_and_nothing_else():
    assert set(TRANSITIONS) == set(Status.values)
    ways = {(a, b) for a, targets in BY_HAND.items() for b in targets}
    ways |= set(BY_FOLLOW_UP.items())
    assert ways == {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


def test_an_incident_is_closed_only_after_a_follow_up_and_reopened_with_a_reason(world):
    incident = services.incident_log(
        project=world.project, by=None, category="damage", description="Knust vindu."
    )
    with pytest.raises(services.FacilityError):
        services.incident_set_status(incident=incident, to_status=Status.CLOSED, by=None)
    services.follow_up_add(incident=incident, by=None, text="Ryddet.", close=True)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    with pytest.raises(services.FacilityError):
        services.incident_set_status(incident=incident, to_status=Status.OPEN, by=None)
    assert list(
        IncidentStatusChange.objects.filter(incident=incident)
        .order_by("pk")
        .values_list("to_status", flat=True)
    ) == [Status.OPEN, Status.FOLLOWED_UP, Status.CLOSED]
