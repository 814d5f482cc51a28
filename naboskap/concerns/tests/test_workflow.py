"""The concern workflow, deadlines, references and routing."""

from datetime import date

import pytest
from django.utils import timezone

from naboskap.concerns import services
from naboskap.concerns.models import Category, RoutingRule, StatusChange
from naboskap.concerns.workdays import add_working_days
from naboskap.concerns.workflow import TRANSITIONS, CancelReason, Status, allowed
from naboskap.testing.factories import ProjectFactory, UnitFactory, make_concern


def move(concern, to_status, by=None):
    extra = {}
    if to_status == Status.ANSWERED:
        extra["answer"] = "Vi har snakket med botiltaket."
    if to_status == Status.CANCELLED:
        extra["cancel_reason"] = CancelReason.DUPLICATE
    return services.concern_transition(concern=concern, to_status=to_status, by=by, **extra)


def reach(concern, target):
    """Walk the shortest allowed path from the concern's status to `target`."""
    paths = {concern.status: []}
    queue = [concern.status]
    while queue:
        state = queue.pop(0)
        for nxt in sorted(TRANSITIONS[state]):
            if nxt not in paths:
                paths[nxt] = [*paths[state], nxt]
                queue.append(nxt)
    for step in paths[target]:
        move(concern, step)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a in Status.values for b in Status.values if a != b],
)
def test_every_transition_is_allowed_or_refused_as_the_table_says(world, from_status, to_status):
    concern = make_concern(world.project)
    reach(concern, from_status)
    assert concern.status == from_status
    rows = StatusChange.objects.filter(concern=concern).count()
    if allowed(from_status, to_status):
        move(concern, to_status, by=world.users["coordinator"])
        concern.refresh_from_db()
        assert concern.status == to_status
        last = StatusChange.objects.filter(concern=concern).last()
        assert (last.from_status, last.to_status) == (from_status, to_status)
        assert last.changed_by == world.users["coordinator"]
        assert StatusChange.objects.filter(concern=concern).count() == rows + 1
    else:
        with pytest.raises(services.WorkflowError):
            move(concern, to_status)
        concern.refresh_from_db()
        assert concern.status == from_status
        assert StatusChange.objects.filter(concern=concern).count() == rows


def test_answering_requires_an_answer_and_cancelling_a_reason(world):
    concern = make_concern(world.project)
    move(concern, Status.ACKNOWLEDGED)
    with pytest.raises(services.WorkflowError):
        services.concern_transition(concern=concern, to_status=Status.ANSWERED, by=None)
    with pytest.raises(services.WorkflowError):
        services.concern_transition(concern=concern, to_status=Status.CANCELLED, by=None)
    move(concern, Status.ANSWERED)
    assert concern.messages.get().body == "Vi har snakket med botiltaket."
    assert concern.answered_at is not None


def test_reopening_clears_the_closure(world):
    concern = make_concern(world.project)
    reach(concern, Status.CANCELLED)
    concern.refresh_from_db()
    assert concern.closed_at and concern.cancel_reason == CancelReason.DUPLICATE
    move(concern, Status.IN_PROGRESS)
    concern.refresh_from_db()
    assert concern.closed_at is None
    assert concern.cancel_reason == ""


def test_references_count_per_municipality_and_year(world):
    first = make_concern(world.project)
    second = make_concern(world.project)
    elsewhere = make_concern(world.other_project)
    year = timezone.localdate().year
    assert first.reference == f"{year}-000001"
    assert second.reference == f"{year}-000002"
    assert elsewhere.reference == f"{year}-000001"


def test_the_same_submission_twice_creates_one_concern(world):
    services.categories_ensure_defaults(municipality=world.municipality)
    category = Category.objects.get(municipality=world.municipality, code="noise")
    kwargs = {
        "project": world.project,
        "category": category,
        "idempotency_key": "samme-nokkel",
        "description": "Støy",
    }
    first, created = services.concern_submit(**kwargs)
    again, created_again = services.concern_submit(**kwargs)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk


def test_working_days_skip_weekends_and_norwegian_holidays():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)  # Easter
    assert add_working_days(date(2026, 5, 16), 0) == date(2026, 5, 18)  # Sat, 17 May is Sunday
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)


def test_deadlines_follow_the_category(world):
    concern = make_concern(world.project, category_code="threats")
    today = timezone.localdate()
    assert concern.acknowledge_due == add_working_days(today, 0)
    assert concern.answer_due == add_working_days(today, 3)


def test_routing_prefers_project_rule_then_general_rule_then_defaults(world):
    services.categories_ensure_defaults(municipality=world.municipality)
    noise = Category.objects.get(municipality=world.municipality, code="noise")
    general = UnitFactory(municipality=world.municipality, name="Bydel")
    special = UnitFactory(municipality=world.municipality, name="Botiltaket")
    sibling = ProjectFactory(municipality=world.municipality)
    assert make_concern(world.project).assigned_unit == world.project.responsible_unit
    RoutingRule.objects.create(municipality=world.municipality, category=noise, unit=general)
    RoutingRule.objects.create(
        municipality=world.municipality, category=noise, project=world.project, unit=special
    )
    assert make_concern(world.project).assigned_unit == special
    assert make_concern(sibling).assigned_unit == general
    assert make_concern(world.project, category_code="litter").assigned_unit == (
        world.project.responsible_unit
    )


def test_reporter_reply_moves_a_waiting_case_on(world):
    concern = make_concern(world.project)
    reach(concern, Status.WAITING)
    services.reporter_reply(concern=concern, body="Det skjedde igjen i går.")
    concern.refresh_from_db()
    assert concern.status == Status.IN_PROGRESS
    assert StatusChange.objects.filter(concern=concern).last().changed_by is None


def test_contact_erasure(world):
    concern = make_concern(world.project, reporter_name="Kari", reporter_email="kari@example.org")
    services.contact_erase(concern=concern)
    concern.refresh_from_db()
    assert (concern.reporter_name, concern.reporter_email, str(concern.reporter_phone)) == (
        "",
        "",
        "",
    )
    assert concern.contact_erased_at is not None
    assert not concern.has_contact
