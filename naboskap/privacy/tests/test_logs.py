"""The deletion and erasure log in /app/personvern/logg/: who reads it, what it shows (never
what was deleted), the period filter and its bad input, and the query count of a full page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns import services as concern_services
from naboskap.concerns.models import Concern, DeletionLog
from naboskap.concerns.workflow import Status
from naboskap.conftest import client_for, english
from naboskap.stakeholders.models import ErasureLog, Person
from naboskap.stakeholders.register.services import person_erase
from naboskap.testing.factories import make_concern

LOG = reverse("privacy:log")


def delete_old_concern(project, description="Naboen i 2. etasje ropte hele natten."):
    """A concern closed long ago, deleted by the real retention job; its reference."""
    concern = make_concern(project, description=description, reporter_email="nabo@example.org")
    closed = timezone.now() - datetime.timedelta(days=365 * 30)
    Concern.objects.filter(pk=concern.pk).update(status=Status.CLOSED, closed_at=closed)
    result = concern_services.retention_apply(municipality=project.municipality)
    assert concern.reference in result["deleted"]
    return concern.reference


def erase_person(municipality, by, name="Kari Nordmann", reason="Ba om sletting per e-post"):
    person = Person.objects.create(
        municipality=municipality, name=name, email="kari@example.org", lawful_basis="public_task"
    )
    return person_erase(person=person, by=by, reason=reason)


@pytest.fixture
def logs(world):
    reference = delete_old_concern(world.project)
    erasure = erase_person(world.municipality, world.users["coordinator"])
    make_concern(world.other_project)  # so that the references of the two differ
    other_reference = delete_old_concern(world.other_project, "Annenby-melding")
    assert other_reference != reference
    erase_person(world.other_municipality, world.users["outsider"], "Ola Annenby", "Annen grunn")
    return {"reference": reference, "erasure": erasure, "other_reference": other_reference}


@pytest.mark.parametrize("persona", ["admin", "coordinator"])
def test_admin_and_coordinator_read_both_logs_without_the_deleted_content(
    persona, world, logs, persona_clients
):
    response = english(world.users[persona]).get(LOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert logs["reference"] in page
    assert "The retention job" in page
    assert f"Erasure {logs['erasure'].pk}" in page
    assert "Ba om sletting per e-post" in page  # the reason staff gave
    assert world.users["coordinator"].get_full_name() in page  # who erased
    # Never what was deleted: the concern's text, the person's name or address.
    assert "Naboen i 2. etasje" not in page
    assert "Kari Nordmann" not in page and "kari@example.org" not in page
    # Only the user's own municipality.
    assert logs["other_reference"] not in page and "Annen grunn" not in page
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("persona", ["case_handler", "facility_staff", "police", "politician"])
def test_other_staff_do_not_read_the_logs(persona, logs, persona_clients):
    response = persona_clients[persona].get(LOG)
    assert response.status_code == 403


def test_a_coordinator_of_one_project_does_not_read_the_logs(world, logs):
    """The logs carry no project: only a municipality-wide coordinator reads them."""
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Role

    scoped = make_staff(world.municipality, Role.COORDINATOR, project=world.project)
    assert client_for(scoped).get(LOG).status_code == 403
    assert client_for(scoped).get(reverse("privacy:records")).status_code == 403


def test_the_outsider_sees_only_their_own_municipalitys_log(world, logs, persona_clients):
    response = english(world.users["outsider"]).get(LOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert logs["other_reference"] in page and "Annen grunn" in page
    assert logs["reference"] not in page and "Ba om sletting" not in page


def test_the_period_filter_keeps_the_days_asked_for(world, logs):
    ErasureLog.objects.filter(pk=logs["erasure"].pk).update(
        erased_at=timezone.now() - datetime.timedelta(days=40)
    )
    today = timezone.localdate()
    client = english(world.users["admin"])
    recent = client.get(LOG, {"fra": today - datetime.timedelta(days=7), "til": today})
    assert recent.status_code == 200
    assert logs["reference"] in recent.content.decode()
    assert "Ba om sletting" not in recent.content.decode()
    older = client.get(
        LOG,
        {"fra": today - datetime.timedelta(days=41), "til": today - datetime.timedelta(days=39)},
    )
    assert "Ba om sletting" in older.content.decode()
    assert logs["reference"] not in older.content.decode()


def test_a_reversed_or_broken_period_is_refused_with_the_input_kept(world, logs):
    client = english(world.users["admin"])
    response = client.get(LOG, {"fra": "2026-05-01", "til": "2026-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The start of the period must be before its end." in page
    assert 'value="2026-05-01"' in page
    response = client.get(LOG, {"fra": "not a day"})
    assert response.status_code == 400
    assert 'value="not a day"' in response.content.decode()


def test_a_full_log_page_costs_a_few_queries(world, django_assert_max_num_queries):
    DeletionLog.objects.bulk_create(
        DeletionLog(municipality=world.municipality, reference=f"2020-{n:04}") for n in range(60)
    )
    for n in range(8):
        erase_person(world.municipality, world.users["admin"], f"Person {n}", f"Grunn {n}")
    client = english(world.users["admin"])
    client.get(reverse("privacy:index"))  # the first staff page stores the profile
    with django_assert_max_num_queries(10):
        response = client.get(LOG)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 1 + 50  # the header and one page
    second = client.get(LOG, {"side": 2})
    assert "Page 2 of 2" in second.content.decode()


def test_the_menu_links_to_privacy_for_those_who_read_it(world, persona_clients):
    link = f'href="{reverse("privacy:index")}"'
    home = reverse("projects:my_projects")
    assert link in persona_clients["admin"].get(home).content.decode()
    assert link in persona_clients["coordinator"].get(home).content.decode()
    assert link not in persona_clients["politician"].get(home).content.decode()
    assert link not in persona_clients["facility_staff"].get(home).content.decode()
