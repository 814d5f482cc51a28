"""The staff start page ("I dag", issue 18), through HTTP for each persona."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, make_staff
from naboskap.meetings.tests.factories import add_invitations, make_meeting
from naboskap.routines.tests.factories import apply_routine
from naboskap.tenancy.models import Role, Unit
from naboskap.testing.factories import MeasureFactory, make_concern

URL = "/app/"
PERSONAS = [
    "admin",
    "coordinator",
    "case_handler",
    "facility_staff",
    "caretaker",
    "police",
    "politician",
]


def test_url_name():
    assert reverse("insights:home") == URL


@pytest.fixture
def caretaker(world):
    user = make_staff(
        world.municipality, Role.CARETAKER, project=world.project, username="caretaker"
    )
    world.users["caretaker"] = user
    return user


def health_unit(world):
    return Unit.objects.get(municipality=world.municipality, name="Helse og sosial")


def add_data(world, n: int) -> None:
    """`n` open concerns, measures and meetings that need nobody today (no deadline soon, no
    unit), so the counts stay those of `add_needs`; they only make the tables bigger."""
    far = timezone.localdate() + timedelta(days=60)
    for _ in range(n):
        concern = make_concern(world.project)
        Concern.objects.filter(pk=concern.pk).update(
            status="in_progress", answer_due=far, acknowledged_at=timezone.now()
        )
        MeasureFactory(
            project=world.project, owner_unit=world.project.responsible_unit, due_date=far
        )
        make_meeting(world.project, days=40)
    cache.clear()


def add_needs(world) -> None:
    """Exactly: 2 overdue concerns routed to the case handler's unit, 1 overdue measure and 1
    due in 5 days of that unit, 1 meeting in 3 days with 2 unsent invitations."""
    yesterday = timezone.localdate() - timedelta(days=1)
    unit = health_unit(world)
    for _ in range(2):
        concern = make_concern(world.project)
        Concern.objects.filter(pk=concern.pk).update(
            assigned_unit=unit,
            answer_due=yesterday,
            status="in_progress",
            acknowledged_at=timezone.now(),
        )
    MeasureFactory(project=world.project, owner_unit=unit, due_date=yesterday)
    MeasureFactory(
        project=world.project, owner_unit=unit, due_date=timezone.localdate() + timedelta(days=5)
    )
    add_invitations(make_meeting(world.project, days=3), 2)
    # The routine's first task is due 14 days after planning started (today); the other two
    # have no date yet.
    apply_routine(world.project)
    cache.clear()


def counts(html: str) -> dict[str, tuple[int, str]]:
    """Label → (count, link) of every count on the page."""
    found = {}
    for href, label, number in re.findall(
        r'<a class="ds-link" href="([^"]+)" data-count-label="([^"]+)"><strong[^>]*>(\d+)</strong>',
        html,
    ):
        found.setdefault(label, (int(number), href.replace("&amp;", "&")))
    return found


def main_links(html: str) -> list[str]:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return sorted({h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"]*)"', main)})


def page(user):
    client = client_for(user, language="en")
    return client, client.get(URL)


def test_anonymous_goes_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "logg-inn" in response["Location"]


def test_empty_state_says_nothing_needs_you(world):
    _client, response = page(world.users["police"])
    assert response.status_code == 200
    assert "Nothing needs you today." in response.content.decode()


def test_case_handler_sees_overdue_concerns_and_measures(world):
    add_needs(world)
    _client, response = page(world.users["case_handler"])
    html = response.content.decode()
    assert response.status_code == 200
    found = counts(html)
    assert found["Overdue"] == (2, "/app/meldinger/?view=overdue")
    # The measures section has its own "Overdue" count: my unit's.
    measures = html.split('data-section="measures"', 1)[1].split("</section>", 1)[0]
    assert counts(measures) == {
        "Overdue": (1, "/app/tiltak/?overdue=on"),
        "Due within 14 days": (1, "/app/tiltak/"),
    }
    assert "Nothing needs you today." not in html


def test_coordinator_sees_meetings_and_unsent_invitations(world):
    add_needs(world)
    _client, response = page(world.users["coordinator"])
    found = counts(response.content.decode())
    meetings = reverse("meetings:meeting_list", args=[world.project.pk])
    assert found["Meetings in the next 14 days"] == (1, meetings)
    assert found["Meetings with invitations not yet sent"] == (1, meetings)
    checklist = reverse("routines:checklist", args=[world.project.pk])
    assert found["Routine tasks due within 14 days"] == (1, checklist)
    assert 'href="/app/"' in response.content.decode()  # first in the staff menu
    assert found["Overdue"] == (2, "/app/meldinger/?view=overdue")
    assert "Municipality overview" in response.content.decode()


def test_roles_get_their_own_links(world, caretaker):
    project = world.project.pk
    _c, police = page(world.users["police"])
    assert reverse("situation:picture", args=[project]) in police.content.decode()
    _c, politician = page(world.users["politician"])
    assert reverse("insights:municipality_dashboard") in politician.content.decode()
    assert reverse("reports:list") in politician.content.decode()
    _c, care = page(caretaker)
    html = care.content.decode()
    assert reverse("facility:round_list", args=[project]) in html
    assert reverse("situation:picture", args=[project]) not in html
    _c, facility = page(world.users["facility_staff"])
    html = facility.content.decode()
    assert reverse("facility:incident_list", args=[project]) in html
    assert reverse("meetings:body_list", args=[project]) in html
    assert reverse("insights:municipality_dashboard") not in html


def test_outsider_sees_only_their_own_municipality(world):
    add_needs(world)
    _client, response = page(world.users["outsider"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Annenby kommune" in html
    assert "Lindeveien" not in html
    assert counts(html) == {}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_on_the_page_opens(world, caretaker, persona):
    add_needs(world)
    client, response = page(world.users[persona])
    assert response.status_code == 200
    links = main_links(response.content.decode())
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("persona", PERSONAS)
def test_query_count_does_not_grow_with_the_data(
    world, caretaker, persona, django_assert_max_num_queries
):
    add_needs(world)
    add_role_content(world, caretaker)
    add_data(world, 3)
    client = client_for(world.users[persona], language="en")
    client.get(URL)  # warm the per-process caches (the host's municipality)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        first = client.get(URL)
    add_data(world, 57)
    with django_assert_max_num_queries(len(small)):
        second = client.get(URL)
    assert first.status_code == second.status_code == 200
    assert counts(first.content.decode()) == counts(second.content.decode())
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(large) == len(small), (persona, len(small), len(large))
    print(f"QUERIES {persona}: {len(small)}")


def add_role_content(world, caretaker) -> None:
    """A project and a municipality status report, a shared assessment, a round started
    today with an observation."""
    from naboskap.facility.models import Observation
    from naboskap.facility.services import round_start
    from naboskap.reports.services import report_create
    from naboskap.situation.services import assessment_create

    today = timezone.localdate()
    for project in (world.project, None):
        report_create(
            municipality=world.municipality,
            project=project,
            period_start=today - timedelta(days=30),
            period_end=today,
            language="en",
        )
    assessment_create(
        project=world.project,
        period_start=today - timedelta(days=7),
        period_end=today,
        text="Rolig uke.",
        by=world.users["coordinator"],
    )
    round_, _created = round_start(project=world.project, by=caretaker)
    Observation.objects.create(
        project=world.project, round=round_, category="noise", text="Musikk", created_by=caretaker
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_content_links_open(world, caretaker, persona):
    add_needs(world)
    add_role_content(world, caretaker)
    client, response = page(world.users[persona])
    html = response.content.decode()
    assert response.status_code == 200
    if persona == "police":
        assert "Latest assessment" in html
    if persona == "politician":
        assert html.count("Status report ") == 2  # the project's and the municipality's
    if persona == "caretaker":
        assert "Today&#x27;s round (started)" in html or "Today's round (started)" in html
        assert counts(html)["Observations in the last 7 days"][0] == 1
    for link in main_links(html):
        assert client.get(link).status_code == 200, link
