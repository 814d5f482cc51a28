"""Staff pages for projects: create, edit, phase, updates and contact points."""

import pytest
from django.test import Client
from django.urls import reverse

from naboskap.conftest import client_for, english
from naboskap.projects.models import ContactPoint, PhaseChange, PlannedPhase, Project, Update
from naboskap.testing.factories import ProjectFactory, UpdateFactory


@pytest.fixture
def coordinator(world) -> Client:
    return english(world.users["coordinator"])


def project_data(world, **overrides):
    data = {
        "name": "Bjørkeveien omsorgsboliger",
        "slug": "",
        "kind": "new_build",
        "address": "Bjørkeveien 2",
        "latitude": "",
        "longitude": "",
        "description": "Seks omsorgsboliger.",
        "target_group": "",
        "dwellings_with_tenancy": "6",
        "dwellings_temporary": "0",
        "dwellings_emergency": "0",
        "responsible_unit": world.project.responsible_unit.pk,
        "participating_units": [world.project.responsible_unit.pk],
        "dialogue_owner": world.users["coordinator"].pk,
        "visibility": "public",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_project_that_goes_public(world, coordinator):
    response = coordinator.post(reverse("projects:create"), project_data(world))
    project = Project.objects.get(name="Bjørkeveien omsorgsboliger")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.municipality == world.municipality
    assert project.slug == "bjorkeveien-omsorgsboliger"
    assert list(project.participating_units.all()) == [world.project.responsible_unit]
    assert PhaseChange.objects.filter(project=project, to_phase="idea").count() == 1
    public = Client().get(project.get_public_url())
    assert public.status_code == 200
    assert "Seks omsorgsboliger." in public.content.decode()


def test_bad_project_input_keeps_what_was_typed(world, coordinator):
    data = project_data(
        world,
        name="x" * 151,
        latitude="nord",
        dwellings_with_tenancy="-3",
        description="Beskrivelsen jeg skrev",
        slug=world.project.slug,
    )
    response = coordinator.post(reverse("projects:create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please correct the following" in html
    assert "Ensure this value has at most 150 characters" in html
    assert "Enter a number." in html
    assert "Another project already uses this web address." in html
    assert "Beskrivelsen jeg skrev" in html
    assert 'value="nord"' in html
    assert 'aria-invalid="true"' in html
    assert not Project.objects.filter(description="Beskrivelsen jeg skrev").exists()


def test_units_and_owner_from_another_municipality_are_refused(world, coordinator):
    foreign_unit = world.other_project.responsible_unit
    data = project_data(
        world, responsible_unit=foreign_unit.pk, dialogue_owner=world.users["outsider"].pk
    )
    response = coordinator.post(reverse("projects:create"), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Project.objects.filter(name="Bjørkeveien omsorgsboliger").exists()


def test_edit_project(world, coordinator):
    url = reverse("projects:edit", args=[world.project.pk])
    data = project_data(world, name="Lindeveien 2", slug="lindeveien")
    response = coordinator.post(url, data)
    assert response.status_code == 302
    world.project.refresh_from_db()
    assert world.project.name == "Lindeveien 2"


def test_change_phase_and_plan_dates(world, coordinator):
    url = reverse("projects:phase", args=[world.project.pk])
    response = coordinator.post(url, {"change_phase": "1", "to_phase": "planning", "note": ""})
    assert "The project is already in this phase." in response.content.decode()
    response = coordinator.post(
        url, {"change_phase": "1", "to_phase": "regulation", "note": "Reguleringsplan sendt"}
    )
    assert response.status_code == 302
    change = PhaseChange.objects.filter(project=world.project).last()
    assert (change.from_phase, change.to_phase, change.note) == (
        "planning",
        "regulation",
        "Reguleringsplan sendt",
    )
    assert change.changed_by == world.users["coordinator"]
    response = coordinator.post(
        url, {"plan_phases": "1", "construction": "2027-05-01", "move_in": "ikke en dato"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert 'value="ikke en dato"' in response.content.decode()
    coordinator.post(url, {"plan_phases": "1", "construction": "2027-05-01", "move_in": ""})
    assert list(PlannedPhase.objects.values_list("phase", flat=True)) == ["construction"]


def test_write_schedule_and_delete_updates(world, coordinator):
    url = reverse("projects:update_create", args=[world.project.pk])
    response = coordinator.post(url, {"title": "", "body": "Tekst", "published_at": "i morgen"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "Enter a valid date/time." in html
    assert "Tekst" in html
    response = coordinator.post(
        url, {"title": "Utkast", "body": "Ikke ferdig", "phase": "", "published_at": ""}
    )
    assert response.status_code == 302
    draft = Update.objects.get(title="Utkast")
    assert draft.published_at is None
    assert draft.author == world.users["coordinator"]
    assert "Ikke ferdig" not in Client().get(world.project.get_public_url()).content.decode()
    edit_url = reverse("projects:update_edit", args=[world.project.pk, draft.pk])
    coordinator.post(
        edit_url,
        {"title": "Utkast", "body": "Ferdig nå", "phase": "", "published_at": "2026-01-05T10:00"},
    )
    assert "Ferdig nå" in Client().get(world.project.get_public_url()).content.decode()
    coordinator.post(reverse("projects:update_delete", args=[world.project.pk, draft.pk]))
    assert not Update.objects.filter(pk=draft.pk).exists()


def test_contact_points(world, coordinator):
    url = reverse("projects:contact_create", args=[world.project.pk])
    response = coordinator.post(url, {"function": "Vakt", "phone": "12", "position": "0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid phone number" in html
    assert 'value="Vakt"' in html
    response = coordinator.post(url, {"function": "Vakt", "position": "0"})
    assert "Give at least a phone number or an email address." in response.content.decode()
    response = coordinator.post(
        url, {"function": "Vakt", "on_duty_phone": "99 99 99 05", "position": "0"}
    )
    assert response.status_code == 302
    contact = ContactPoint.objects.get(function="Vakt")
    assert str(contact.on_duty_phone) == "+4799999905"
    coordinator.post(reverse("projects:contact_delete", args=[world.project.pk, contact.pk]))
    assert not ContactPoint.objects.filter(pk=contact.pk).exists()


def test_objects_of_another_project_are_not_found(world, coordinator):
    """An id from another project, even one the user may see, answers 404 under this one."""
    sibling = ProjectFactory(municipality=world.municipality)
    foreign_update = UpdateFactory(project=sibling)
    urls = [
        reverse("projects:update_edit", args=[world.project.pk, foreign_update.pk]),
        reverse("projects:update_edit", args=[world.project.pk, world.other_update.pk]),
        reverse("projects:contact_edit", args=[world.project.pk, world.other_contact_point.pk]),
        reverse("projects:detail", args=[999999]),
        "/app/prosjekter/abc/",
        "/app/prosjekter/99999999999999999999999/",
    ]
    for url in urls:
        assert coordinator.get(url).status_code == 404, url
    response = coordinator.post(
        reverse("projects:update_delete", args=[world.project.pk, world.other_update.pk])
    )
    assert response.status_code == 404
    assert Update.objects.filter(pk=world.other_update.pk).exists()


def test_read_only_roles_see_but_do_not_get_edit_buttons(world):
    client = english(world.users["politician"])
    html = client.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    assert world.project.name in html
    assert reverse("projects:edit", args=[world.project.pk]) not in html
    assert reverse("projects:update_create", args=[world.project.pk]) not in html


def test_my_projects_lists_only_projects_in_reach(world):
    client = client_for(world.users["facility_staff"])
    sibling = ProjectFactory(municipality=world.municipality, name="Naboprosjektet")
    html = client.get(reverse("projects:my_projects")).content.decode()
    assert world.project.name in html
    assert sibling.name not in html  # facility staff are scoped to their own project
    assert world.other_project.name not in html


@pytest.mark.parametrize("count", [1, 500])
def test_staff_pages_do_not_grow_queries(world, count, coordinator, django_assert_max_num_queries):
    UpdateFactory.create_batch(count, project=world.project, author=world.users["coordinator"])
    ProjectFactory.create_batch(min(count, 30), municipality=world.municipality)
    pages = {
        reverse("projects:my_projects"): 16,
        # The project's dashboard also sums up its checklist, council and plan.
        reverse("projects:detail", args=[world.project.pk]): 24,
        reverse("projects:updates", args=[world.project.pk]): 16,
        reverse("projects:edit", args=[world.project.pk]): 16,
        reverse("projects:phase", args=[world.project.pk]): 16,
        reverse("projects:update_create", args=[world.project.pk]): 16,
    }
    for url, most in pages.items():
        with django_assert_max_num_queries(most, info=url):
            assert coordinator.get(url).status_code == 200


def test_edits_are_recorded_in_the_audit_log(world, coordinator):
    from auditlog.models import LogEntry

    coordinator.post(
        reverse("projects:edit", args=[world.project.pk]),
        project_data(world, name="Lindeveien nytt navn", slug="lindeveien"),
    )
    entries = LogEntry.objects.get_for_object(world.project).filter(action=LogEntry.Action.UPDATE)
    renamed = [e for e in entries if "name" in e.changes_dict]
    assert len(renamed) == 1
    assert renamed[0].actor == world.users["coordinator"]
    assert renamed[0].changes_dict["name"] == ["Lindeveien", "Lindeveien nytt navn"]
