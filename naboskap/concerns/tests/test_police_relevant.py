"""Marking a concern as relevant for the police: who may, what is recorded, the inbox filter."""

import html

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from naboskap.concerns.models import Concern, Message
from naboskap.conftest import client_for
from naboskap.testing.factories import make_concern

pytestmark = pytest.mark.django_db


def mark_url(concern):
    return reverse("concerns:police_relevant", args=[concern.pk])


def test_a_coordinator_marks_a_concern_and_it_is_recorded(world):
    concern = make_concern(world.project)
    client = client_for(world.users["coordinator"], language="en")
    page = client.get(concern.get_absolute_url()).content.decode()
    assert "Mark as relevant for the police" in page
    response = client.post(mark_url(concern), {"relevant": "1"}, follow=True)
    assert response.status_code == 200
    assert "The concern is marked as relevant for the police." in html.unescape(
        response.content.decode()
    )
    assert "Remove the police mark" in response.content.decode()
    concern.refresh_from_db()
    assert concern.police_relevant
    note = Message.objects.get(concern=concern, kind=Message.Kind.INTERNAL)
    assert note.author == world.users["coordinator"]
    entry = LogEntry.objects.get_for_object(concern).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == world.users["coordinator"]
    assert "police_relevant" in entry.changes_dict

    client.post(mark_url(concern), {"relevant": "0"})
    concern.refresh_from_db()
    assert not concern.police_relevant
    assert Message.objects.filter(concern=concern, kind=Message.Kind.INTERNAL).count() == 2


def test_marking_twice_adds_nothing(world):
    concern = make_concern(world.project)
    client = client_for(world.users["admin"])
    client.post(mark_url(concern), {"relevant": "1"})
    client.post(mark_url(concern), {"relevant": "1"})
    assert Message.objects.filter(concern=concern, kind=Message.Kind.INTERNAL).count() == 1


def test_the_routed_units_case_handler_marks_it(world):
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Role

    concern = make_concern(world.project)
    handler = make_staff(world.municipality, Role.CASE_HANDLER, unit=concern.assigned_unit)
    assert client_for(handler).post(mark_url(concern), {"relevant": "1"}).status_code == 302
    concern.refresh_from_db()
    assert concern.police_relevant


def test_facility_staff_see_but_do_not_mark(world):
    concern = make_concern(world.project)
    client = client_for(world.users["facility_staff"], language="en")
    page = client.get(concern.get_absolute_url()).content.decode()
    assert "Not marked as relevant for the police." in page
    assert "Mark as relevant for the police" not in page
    assert client.post(mark_url(concern), {"relevant": "1"}).status_code == 403
    concern.refresh_from_db()
    assert not concern.police_relevant


def test_a_garbled_mark_is_a_clear_400(world):
    concern = make_concern(world.project)
    response = client_for(world.users["coordinator"], language="en").post(
        mark_url(concern), {"relevant": "maybe"}
    )
    assert response.status_code == 400
    assert "Choose whether the concern is relevant for the police." in response.content.decode()
    assert not Concern.objects.get(pk=concern.pk).police_relevant


def test_the_inbox_filters_police_relevant_concerns(world):
    marked = make_concern(world.project, description="Trusler ved porten")
    other = make_concern(world.project, description="Søppel i hekken")
    client = client_for(world.users["coordinator"])
    client.post(mark_url(marked), {"relevant": "1"})
    page = client.get(reverse("concerns:inbox") + "?police=on").content.decode()
    assert marked.reference in page
    assert other.reference not in page
