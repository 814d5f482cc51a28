"""Organisations follow project scope: someone whose role is limited to one project (or who
owns a project's dialogue, as the facility's staff often do) changes only the organisations
linked to that project; the municipality's administrators and coordinators change them all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from naboskap.conftest import english, make_staff
from naboskap.stakeholders.models import Organisation
from naboskap.stakeholders.register import services
from naboskap.tenancy.models import Membership, Role
from naboskap.testing.factories import ProjectFactory


def url(name, *args):
    return reverse(f"stakeholders:{name}", args=args)


def organisation(world, name, projects):
    return services.organisation_create(
        municipality=world.municipality, name=name, kind="voluntary", projects=projects
    )


@pytest.fixture
def scene(world):
    """Solbakken's facility staff owns Solbakken's dialogue, like the demo's botiltak."""
    staff = make_staff(world.municipality, Role.FACILITY_STAFF, username="botiltak")
    solbakken = ProjectFactory(
        municipality=world.municipality,
        name="Solbakken",
        responsible_unit=world.project.responsible_unit,
        dialogue_owner=staff,
    )
    Membership.objects.filter(user=staff).update(project=solbakken)
    return {
        "staff": staff,
        "solbakken": solbakken,
        "ours": organisation(world, "Solbakken beboerforening", [solbakken]),
        "shared": organisation(world, "Fjordby idrettslag", [solbakken, world.project]),
        "theirs": organisation(world, "Lindeveien vel", [world.project]),
        "unlinked": organisation(world, "Fjordby sanitetsforening", []),
    }


def edit(client, organisation, **changes):
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "projects": [p.pk for p in organisation.projects.all()],
        **changes,
    }
    return client.post(url("organisation_edit", organisation.pk), data)


def test_project_scoped_staff_change_only_their_projects_organisations(world, scene):
    client = english(scene["staff"])
    for name in ("theirs", "unlinked"):
        target = scene[name]
        assert client.get(url("organisation_edit", target.pk)).status_code == 403
        assert edit(client, target, name="Omdøpt").status_code == 403
        target.refresh_from_db()
        assert target.name != "Omdøpt"
        # Still seen: organisations are public bodies, seen by all the municipality's staff.
        detail = client.get(url("organisation_detail", target.pk))
        assert detail.status_code == 200
        assert url("organisation_edit", target.pk) not in detail.content.decode()
    response = edit(client, scene["ours"], name="Solbakken beboerforening og venner")
    assert response.status_code == 302
    scene["ours"].refresh_from_db()
    assert scene["ours"].name == "Solbakken beboerforening og venner"


def test_links_to_projects_outside_the_scope_are_kept_and_not_offered(world, scene):
    client = english(scene["staff"])
    page = client.get(url("organisation_edit", scene["shared"].pk)).content.decode()
    assert "Solbakken" in page and "Lindeveien" not in page
    # Unticking every project the form offers leaves the link to Lindeveien as it was.
    response = edit(client, scene["shared"], projects=[], notes="Trener på Solbakken")
    assert response.status_code == 302
    shared = Organisation.objects.get(pk=scene["shared"].pk)
    assert shared.notes == "Trener på Solbakken"
    assert list(shared.projects.all()) == [world.project]


def test_municipality_wide_coordinators_change_every_organisation(world, scene):
    client = english(world.users["coordinator"])
    for name in ("ours", "theirs", "unlinked"):
        assert edit(client, scene[name], notes="Sjekket").status_code == 302
    assert Organisation.objects.filter(notes="Sjekket").count() == 3


def test_only_the_whole_registers_keepers_import(world, scene):
    # An import updates whatever it matches by name, in any project.
    csv = "navn;type;notater\nLindeveien vel;voluntary;Overskrevet\n"
    data = {"kind": "organisations", "encoding": "utf-8"}

    def post(client):
        return client.post(
            url("register_import"),
            {**data, "file": SimpleUploadedFile("register.csv", csv.encode())},
        )

    project_coordinator = make_staff(world.municipality, Role.COORDINATOR, project=world.project)
    for user in (scene["staff"], project_coordinator):
        assert post(english(user)).status_code == 403
    assert Organisation.objects.get(name="Lindeveien vel").notes == ""
    assert post(english(world.users["coordinator"])).status_code == 200
    assert Organisation.objects.get(name="Lindeveien vel").notes == "Overskrevet"
