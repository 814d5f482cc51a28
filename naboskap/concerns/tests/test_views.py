"""Case handling for staff: inbox, case page, status changes, messages, assignment."""

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from naboskap.concerns import services
from naboskap.concerns.models import Concern, Message
from naboskap.concerns.workflow import Status
from naboskap.conftest import english, make_staff
from naboskap.tenancy.models import Role
from naboskap.testing.factories import UnitFactory, make_concern


@pytest.fixture
def concern(world):
    return make_concern(
        world.project,
        reporter_name="Kari Nabo",
        reporter_email="kari@example.org",
        description="Knust glass på lekeplassen.",
    )


@pytest.fixture
def unit_handler(world, concern):
    """A case handler in the unit the concern is routed to."""
    return make_staff(
        world.municipality, Role.CASE_HANDLER, unit=concern.assigned_unit, username="eiendom"
    )


def test_opening_a_concern_is_logged(world, concern):
    client = english(world.users["coordinator"])
    response = client.get(concern.get_absolute_url())
    assert response.status_code == 200
    assert "Knust glass på lekeplassen." in response.content.decode()
    access = LogEntry.objects.get_for_object(concern).filter(action=LogEntry.Action.ACCESS)
    assert access.count() == 1
    assert access.get().actor == world.users["coordinator"]


def test_contact_details_only_for_the_assigned_unit_and_the_coordinator(
    world, concern, unit_handler
):
    for user, sees in [
        (world.users["coordinator"], True),
        (unit_handler, True),
        (world.users["facility_staff"], False),
        (world.users["admin"], False),
    ]:
        html = english(user).get(concern.get_absolute_url()).content.decode()
        assert ("kari@example.org" in html) is sees, user
        assert "Knust glass" in html


def test_case_handler_of_another_unit_does_not_see_the_concern(world, concern):
    client = english(world.users["case_handler"])
    assert client.get(concern.get_absolute_url()).status_code == 404
    assert concern.reference not in client.get(reverse("concerns:inbox")).content.decode()


def test_answer_and_close_tells_the_reporter(world, concern, unit_handler, tasks):
    client = english(unit_handler)
    url = reverse("concerns:transition", args=[concern.pk])
    response = client.post(url, {"to_status": Status.CLOSED})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()  # not from "received"
    response = client.post(url, {"to_status": Status.ACKNOWLEDGED})
    assert response.status_code == 302
    response = client.post(url, {"to_status": Status.ANSWERED, "answer": " "})
    assert response.status_code == 400
    assert "Write the answer to the reporter." in response.content.decode()
    answer = {
        "to_status": Status.ANSWERED,
        "answer": "Vi har ryddet lekeplassen.",
        "note": "Ringte vaktmester",
    }
    # First shown as the reporter will see it; nothing is sent yet.
    response = client.post(url, answer)
    assert response.status_code == 200
    assert "This is what the reporter will see" in response.content.decode()
    assert Concern.objects.get(pk=concern.pk).status == Status.ACKNOWLEDGED
    response = client.post(url, {**answer, "confirm": "1"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.ANSWERED
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Vi har ryddet lekeplassen." in html
    assert "Ringte vaktmester" in html  # the internal note, for staff


@pytest.mark.django_db(transaction=True)
def test_messages_and_internal_notes(world, tasks):
    concern = make_concern(world.project, reporter_email="kari@example.org")
    tasks()  # receipt
    client = english(world.users["coordinator"])
    url = reverse("concerns:message", args=[concern.pk])
    assert client.post(url, {"body": ""}).status_code == 400
    client.post(url, {"body": "Kan du si mer om når det skjedde?", "action": "send"})
    client.post(reverse("concerns:note", args=[concern.pk]), {"note-body": "Sjekk med politiet"})
    kinds = list(concern.messages.values_list("kind", flat=True))
    assert kinds == [Message.Kind.TO_REPORTER, Message.Kind.INTERNAL]
    outbox_before = len(mail.outbox)
    tasks()
    new = mail.outbox[outbox_before:]
    assert [m.to for m in new] == [["kari@example.org"]]
    assert "Sjekk med politiet" not in new[0].body
    assert "Kan du si mer" not in new[0].body  # the text stays in Naboskap


def test_assigning_to_another_unit(world, concern):
    client = english(world.users["coordinator"])
    other_unit = world.users["case_handler"].memberships.get().unit
    response = client.post(
        reverse("concerns:assign", args=[concern.pk]), {"unit": other_unit.pk, "handler": ""}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.assigned_unit == other_unit
    # Now the other unit's case handler reaches it.
    assert english(world.users["case_handler"]).get(concern.get_absolute_url()).status_code == 200


def test_assign_refuses_units_of_another_municipality(world, concern):
    client = english(world.users["coordinator"])
    foreign = world.other_project.responsible_unit
    response = client.post(reverse("concerns:assign", args=[concern.pk]), {"unit": foreign.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_bulk_assign(world, unit_handler):
    concerns = [make_concern(world.project) for _ in range(3)]
    client = english(world.users["coordinator"])
    response = client.post(
        reverse("concerns:bulk_assign"),
        # No unit chosen: each concern keeps its own.
        {"concern": [c.pk for c in concerns[:2]], "bulk-unit": "", "bulk-handler": unit_handler.pk},
    )
    assert response.status_code == 302
    assigned = set(Concern.objects.filter(assigned_to=unit_handler).values_list("pk", flat=True))
    assert assigned == {concerns[0].pk, concerns[1].pk}
    # A concern out of reach makes the whole request 404 and changes nothing.
    foreign = make_concern(world.other_project)
    response = client.post(
        reverse("concerns:bulk_assign"), {"concern": [concerns[2].pk, foreign.pk]}
    )
    assert response.status_code == 404


def test_inbox_filters_counts_and_search(world):
    noise = make_concern(world.project, description="Musikk om natten")
    litter = make_concern(world.project, category_code="litter", description="Sprøyter i parken")
    client = english(world.users["coordinator"])
    html = client.get(reverse("concerns:inbox")).content.decode()
    assert noise.reference in html and litter.reference in html
    assert "Received: <strong>2</strong>" in html
    html = client.get(reverse("concerns:inbox"), {"q": "sprøyter"}).content.decode()
    assert litter.reference in html and noise.reference not in html
    html = client.get(reverse("concerns:inbox"), {"status": "answered"}).content.decode()
    assert "No concerns match." in html
    Concern.objects.filter(pk=noise.pk).update(answer_due="2020-01-01")
    services.selectors._bump(world.municipality.pk)  # as every writer must (after commit)
    html = client.get(reverse("concerns:inbox"), {"overdue": "on"}).content.decode()
    assert noise.reference in html and litter.reference not in html
    assert "Overdue" in html
    response = client.get(reverse("concerns:inbox"), {"status": "nonsense", "project": "abc"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("count", [1, 120])
def test_inbox_and_case_page_do_not_grow_queries(world, count, django_assert_max_num_queries):
    concerns = [make_concern(world.project) for _ in range(count)]
    for concern in concerns[:5]:
        Message.objects.create(concern=concern, kind=Message.Kind.INTERNAL, body="Notat")
    client = english(world.users["coordinator"])
    # The first view after a change counts per status and per view and caches the counts:
    # with the database cache, its reads and writes are a dozen statements more (with
    # Redis, none).
    with django_assert_max_num_queries(15 + 14):
        assert client.get(reverse("concerns:inbox")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("concerns:inbox")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("concerns:inbox"), {"side": "2", "sort": "answer_due"})
    # Issue 16 added the assignable handlers and the standard answers (a query each).
    with django_assert_max_num_queries(19):
        assert client.get(concerns[0].get_absolute_url()).status_code == 200


def test_coordinators_read_the_access_log(world, concern, unit_handler):
    english(unit_handler).get(concern.get_absolute_url())
    html = english(world.users["coordinator"]).get(concern.get_absolute_url()).content.decode()
    assert "Who has opened this case" in html
    assert "Test Person" in html or unit_handler.username in html
    handler_view = english(unit_handler).get(concern.get_absolute_url()).content.decode()
    assert "Who has opened this case" not in handler_view


def shown_counts(client, **params) -> tuple[dict[str, int], str]:
    body = client.get(reverse("concerns:inbox"), params).content.decode()
    counts = {
        label: int(number)
        for label, number in re.findall(r'\?status=\w+">([^<:]+): <strong>(\d+)</strong>', body)
    }
    return counts, body


def test_inbox_counts_follow_every_change(
    world, concern, unit_handler, django_capture_on_commit_callbacks
):
    coordinator = english(world.users["coordinator"])
    handler = english(unit_handler)
    assert shown_counts(coordinator)[0]["Received"] == 1
    assert shown_counts(handler)[0]["Received"] == 1
    # Each change is counted once it is committed (the test's transaction never commits).
    commit = django_capture_on_commit_callbacks
    # A new report (counted in the cached figures straight away), and the page total.
    with commit(execute=True):
        second = make_concern(world.project)
    counts, body = shown_counts(coordinator)
    assert counts["Received"] == 2 and second.reference in body and "2 concerns" in body
    # Moved on in the workflow.
    with commit(execute=True):
        services.concern_transition(concern=second, to_status=Status.ACKNOWLEDGED, by=None)
    counts, _body = shown_counts(coordinator)
    assert (counts["Received"], counts["Acknowledged"]) == (1, 1)
    # Routed elsewhere: out of the unit handler's reach and counts.
    other_unit = UnitFactory(municipality=world.municipality)
    with commit(execute=True):
        services.concern_assign(concern=concern, unit=other_unit, by=None)
    assert shown_counts(handler)[0]["Received"] == 0
    # The status filter's total comes from the same counts.
    _counts, body = shown_counts(coordinator, status="acknowledged")
    assert second.reference in body and concern.reference not in body


def test_inbox_pages_know_their_total_with_and_without_filters(world, client_en):
    for _n in range(30):
        make_concern(world.project)
    coordinator = english(world.users["coordinator"])
    body = coordinator.get(reverse("concerns:inbox")).content.decode()
    assert "30 concerns" in body and "Page 1 of 2" in body
    body = coordinator.get(reverse("concerns:inbox"), {"status": "received"}).content.decode()
    assert "30 concerns" in body
    body = coordinator.get(reverse("concerns:inbox"), {"status": "closed"}).content.decode()
    assert "0 concerns" in body
    # Other filters are counted by the database.
    body = coordinator.get(reverse("concerns:inbox"), {"q": "ingenting slikt"}).content.decode()
    assert "0 concerns" in body and "Page 1 of 2" not in body


def test_a_concern_leads_to_a_measure_on_the_plan(world, concern):
    coordinator = english(world.users["coordinator"])
    page = coordinator.get(concern.get_absolute_url()).content.decode()
    assert "No measures come from this concern yet." in page
    url = reverse("concerns:measure_create", args=[concern.pk])
    # Bad input: explained on the case page, what was typed kept.
    response = coordinator.post(url, {"measure-title": "Flytte benken", "measure-owner_unit": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and 'value="Flytte benken"' in body
    unit = world.project.responsible_unit
    response = coordinator.post(
        url,
        {
            "measure-title": "Flytte benken bort fra inngangen",
            "measure-owner_unit": unit.pk,
            "measure-due_date": "2026-12-15",
        },
    )
    assert response.status_code == 302
    measure = concern.measures.get()
    assert (measure.project, measure.owner_unit) == (world.project, unit)
    page = coordinator.get(concern.get_absolute_url()).content.decode()
    assert "Flytte benken bort fra inngangen" in page and "Planned" in page
    plan = coordinator.get(reverse("plans:plan", args=[world.project.pk])).content.decode()
    assert "Flytte benken bort fra inngangen" in plan
    # Facility staff handle the concern but do not change the plan: no form for them.
    staff_page = english(world.users["facility_staff"]).get(concern.get_absolute_url())
    assert 'name="measure-title"' not in staff_page.content.decode()


def test_a_concern_is_linked_to_an_unwanted_event_of_its_project(world, concern):
    from naboskap.risk import services as risk

    coordinator = english(world.users["coordinator"])
    page = coordinator.get(concern.get_absolute_url()).content.decode()
    assert "The project has no ROS analysis with unwanted events yet." in page
    analysis = risk.analysis_create(
        project=world.project, created_by=None, title="ROS Lindeveien", purpose="Trygghet"
    )
    event = risk.event_create(analysis=analysis, title="Glasskår på lekeplassen")
    other_analysis = risk.analysis_create(
        project=world.other_project, created_by=None, title="ROS Annenvei", purpose="Trygghet"
    )
    other_event = risk.event_create(analysis=other_analysis, title="Hemmelig hendelse")
    page = coordinator.get(concern.get_absolute_url()).content.decode()
    assert "Glasskår på lekeplassen" in page and "Hemmelig hendelse" not in page
    url = reverse("concerns:link_event", args=[concern.pk])
    # Another project's event cannot be chosen.
    response = coordinator.post(url, {"event-unwanted_event": other_event.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert coordinator.post(url, {"event-unwanted_event": event.pk}).status_code == 302
    concern.refresh_from_db()
    assert concern.unwanted_event == event
    page = coordinator.get(concern.get_absolute_url()).content.decode()
    assert event.get_absolute_url() in page
    assert list(event.concerns.all()) == [concern]
    # Unlinked again.
    assert coordinator.post(url, {"event-unwanted_event": ""}).status_code == 302
    concern.refresh_from_db()
    assert concern.unwanted_event is None
