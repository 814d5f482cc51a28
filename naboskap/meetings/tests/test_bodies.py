"""Bodies and members through the staff pages, and the council's health warnings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.models import Body, Member
from naboskap.meetings.selectors import council_health, months_before
from naboskap.meetings.tests.factories import (
    COUNCIL,
    add_invitations,
    add_members,
    make_body,
    make_meeting,
)


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def codes(body):
    return {w.code for w in council_health(Body.objects.get(pk=body.pk))}


def test_coordinator_creates_a_body_and_adds_members(world, coordinator):
    project = world.project
    response = coordinator.post(
        reverse("meetings:body_create", args=[project.pk]),
        {
            "name": "Naborådet Lindeveien",
            "mandate": "Et trygt bomiljø for alle",
            "secretariat": project.responsible_unit_id,
            "meeting_interval_months": "3",
        },
    )
    body = Body.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == body.get_absolute_url()
    url = reverse("meetings:member_create", args=[project.pk, body.pk])
    response = coordinator.post(
        url,
        {
            "name": "Nina Nabo",
            "category": "neighbour",
            "position": "chair",
            "email": "nina@example.org",
            "term_start": "2026-01-01",
            "term_end": "2027-12-31",
        },
    )
    assert response.status_code == 302
    page = coordinator.get(body.get_absolute_url()).content.decode()
    assert "Nina Nabo" in page and "Chair" in page and "Et trygt bomiljø for alle" in page


def test_member_form_keeps_what_was_typed_and_explains(world, coordinator):
    body = make_body(world.project, members=[])
    url = reverse("meetings:member_create", args=[world.project.pk, body.pk])
    response = coordinator.post(
        url,
        {
            "name": "Ola Nabo",
            "category": "neighbour",
            "position": "member",
            "email": "ikke-en-epost",
            "term_start": "2026-05-01",
            "term_end": "2026-01-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The term cannot end before it starts." in page
    assert "Enter a valid email address." in page
    assert 'value="Ola Nabo"' in page and 'value="ikke-en-epost"' in page
    assert not body.members.exists()


def test_body_names_are_unique_per_project(world, coordinator):
    make_body(world.project, members=[])
    response = coordinator.post(
        reverse("meetings:body_create", args=[world.project.pk]),
        {"name": "naborådet", "meeting_interval_months": "3"},
    )
    assert response.status_code == 400
    assert "already has a body with this name" in response.content.decode()


def test_a_healthy_council_has_no_warnings(world):
    body = make_body(world.project)
    make_meeting(world.project, body=body, days=-20)
    assert codes(body) == set()


def test_chair_who_is_not_a_neighbour_is_warned_about(world, coordinator):
    members = [("Berit Ansatt", Member.Category.STAFF, Member.Position.CHAIR), *COUNCIL[1:]]
    body = make_body(world.project, members=members)
    make_meeting(world.project, body=body, days=-20)
    assert codes(body) == {"chair_not_neighbour"}
    page = coordinator.get(body.get_absolute_url()).content.decode()
    assert "The chair is not a neighbour." in page


def test_no_chair_no_deputy_and_no_recent_meeting(world):
    body = make_body(world.project, members=COUNCIL[2:])
    make_meeting(world.project, body=body, days=-100)  # longer ago than three months
    assert codes(body) == {"no_chair", "no_deputy", "no_meeting"}


def test_cancelled_and_future_meetings_do_not_count_as_met(world):
    body = make_body(world.project)
    services.meeting_cancel(
        meeting=make_meeting(world.project, body=body, days=-10), reason="Ingen saker"
    )
    make_meeting(world.project, body=body, days=10)
    assert codes(body) == {"no_meeting"}


def test_the_interval_is_per_body(world):
    body = make_body(world.project, meeting_interval_months=6)
    make_meeting(world.project, body=body, days=-100)
    assert codes(body) == set()


def test_one_person_with_several_positions(world):
    members = [*COUNCIL, ("Nina Nabo", Member.Category.NEIGHBOUR, Member.Position.SECRETARY)]
    body = make_body(world.project, members=members)
    Member.objects.filter(body=body, name="Nina Nabo").update(email="nina@example.org")
    make_meeting(world.project, body=body, days=-5)
    with translation.override("en"):
        warnings = council_health(Body.objects.get(pk=body.pk))
    assert [w.code for w in warnings] == ["several_positions"]
    assert warnings[0].text == "Nina Nabo holds several positions: Chair, Secretary."


def test_terms_ending_within_thirty_days(world):
    body = make_body(world.project)
    make_meeting(world.project, body=body, days=-5)
    chair = body.members.get(position="chair")
    chair.term_end = timezone.localdate() + timedelta(days=20)
    chair.save()
    later = body.members.get(position="deputy_chair")
    later.term_end = timezone.localdate() + timedelta(days=60)
    later.save()
    warnings = council_health(Body.objects.get(pk=body.pk))
    assert [w.code for w in warnings] == ["term_ending"]
    assert "Nina Nabo" in warnings[0].text


def test_ending_a_term_moves_the_member_to_former_and_warns(world, coordinator):
    body = make_body(world.project)
    make_meeting(world.project, body=body, days=-5)
    chair = body.members.get(position="chair")
    url = reverse("meetings:member_end_term", args=[world.project.pk, body.pk, chair.pk])
    assert coordinator.post(url).status_code == 302
    chair.refresh_from_db()
    assert chair.term_end == timezone.localdate()
    # Ends today: still seated today, so the warning is about the term ending.
    assert "term_ending" in codes(body)
    Member.objects.filter(pk=chair.pk).update(
        term_start=timezone.localdate() - timedelta(days=9),
        term_end=timezone.localdate() - timedelta(days=1),
    )
    assert "no_chair" in codes(body)
    page = coordinator.get(body.get_absolute_url()).content.decode()
    assert "Former members (1)" in page


def test_health_shows_on_the_staff_project_page(world, coordinator):
    body = make_body(world.project, members=COUNCIL[2:])
    page = coordinator.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    # The project page's council figure counts the warnings and links to the council.
    assert 'data-figure="council"' in page
    assert "things need attention" in page and body.get_absolute_url() in page
    assert "The council has no chair." in page
    assert "No meeting in the last 3 months." in page
    page = coordinator.get(body.get_absolute_url()).content.decode()
    assert f"{body.name} needs attention" in page
    assert "The council has no chair." in page


def test_months_before_handles_short_months():
    from datetime import date

    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


@pytest.mark.parametrize("name", ["meetings:body_detail", "meetings:body_list"])
def test_body_pages_take_the_same_queries_for_5_and_200_members(
    name, world, coordinator, django_assert_num_queries
):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body, days=-5)
    add_invitations(meeting, 3)
    add_members(body, 1)
    if name == "meetings:body_detail":
        url = reverse(name, args=[world.project.pk, body.pk])
    else:
        url = reverse(name, args=[world.project.pk])
    coordinator.get(url)  # warm the session and the user's memberships
    counts = []
    for more in (0, 195):
        add_members(body, more)
        with CaptureQueriesContext(connection) as captured:
            response = coordinator.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert "Medlem 194" in response.content.decode() or name == "meetings:body_list"
    with django_assert_num_queries(counts[1]):
        coordinator.get(url)
