"""Who can be assigned a concern (issue 16): only users whose role handles concerns and who
can open that concern (its unit or its project) are offered, and the service refuses anyone
else with a clear error. Every role is tried."""

import pytest
from django.urls import reverse

from naboskap.concerns import services
from naboskap.concerns.models import Concern
from naboskap.conftest import english, make_staff
from naboskap.tenancy.models import Role
from naboskap.testing.factories import ProjectFactory, make_concern


@pytest.fixture
def people(world):
    """One user per role and reach; True where they may be assigned the concern (routed to
    the project's responsible unit)."""
    other_project = ProjectFactory(municipality=world.municipality, slug="solbakken")
    unit = world.project.responsible_unit
    return {
        "admin": (world.users["admin"], True),
        "coordinator": (world.users["coordinator"], True),
        "case_handler_right_unit": (
            make_staff(world.municipality, Role.CASE_HANDLER, unit=unit, username="riktig"),
            True,
        ),
        "case_handler_wrong_unit": (world.users["case_handler"], False),
        "facility_staff_of_the_project": (world.users["facility_staff"], True),
        "facility_staff_of_another_project": (
            make_staff(
                world.municipality, Role.FACILITY_STAFF, project=other_project, username="annen"
            ),
            False,
        ),
        "caretaker": (
            make_staff(world.municipality, Role.CARETAKER, username="vaktmester"),
            False,
        ),
        "police": (world.users["police"], False),
        "politician": (world.users["politician"], False),
        "outsider": (world.users["outsider"], False),
    }


ROLES = [
    "admin",
    "coordinator",
    "case_handler_right_unit",
    "case_handler_wrong_unit",
    "facility_staff_of_the_project",
    "facility_staff_of_another_project",
    "caretaker",
    "police",
    "politician",
    "outsider",
]


def option(user) -> str:
    return f'<option value="{user.pk}"'


def select(html: str, name: str) -> str:
    """The HTML of the select named `name`."""
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_offered_and_accepted_only_if_it_can_handle_the_concern(world, people, role):
    user, assignable = people[role]
    concern = make_concern(world.project)
    client = english(world.users["coordinator"])

    # Offered in the case page's select, and in the inbox's bulk select.
    page = client.get(concern.get_absolute_url()).content.decode()
    assert (option(user) in select(page, "handler")) is assignable, role
    inbox = client.get(reverse("concerns:inbox")).content.decode()
    assert (option(user) in select(inbox, "bulk-handler")) is assignable, role

    # The single assignment.
    url = reverse("concerns:assign", args=[concern.pk])
    response = client.post(url, {"unit": concern.assigned_unit_id, "handler": user.pk})
    concern.refresh_from_db()
    if assignable:
        assert response.status_code == 302
        assert concern.assigned_to == user
    else:
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert concern.assigned_to is None

    # The service, called directly (the API, the demo loader), asks the rules too.
    other = make_concern(world.project)
    if assignable:
        services.concern_assign(concern=other, unit=other.assigned_unit, handler=user)
        assert Concern.objects.get(pk=other.pk).assigned_to == user
    else:
        with pytest.raises(services.AssignmentError, match="cannot handle concern"):
            services.concern_assign(concern=other, unit=other.assigned_unit, handler=user)
        assert Concern.objects.get(pk=other.pk).assigned_to is None


@pytest.mark.parametrize("role", ROLES)
def test_bulk_assignment_refuses_who_cannot_handle_and_keeps_the_choice(world, people, role):
    user, assignable = people[role]
    concerns = [make_concern(world.project) for _ in range(2)]
    client = english(world.users["coordinator"])
    response = client.post(
        reverse("concerns:bulk_assign"),
        {"concern": [c.pk for c in concerns], "bulk-unit": "", "bulk-handler": user.pk},
    )
    assigned = set(Concern.objects.filter(assigned_to=user).values_list("pk", flat=True))
    if assignable:
        assert response.status_code == 302
        assert assigned == {c.pk for c in concerns}
    else:
        assert response.status_code == 400
        html = response.content.decode()
        assert "Please correct the following" in html
        # The ticks are kept.
        for concern in concerns:
            assert f'value="{concern.pk}" id="select-{concern.pk}" checked' in html
        assert assigned == set()


def test_moving_a_concern_to_another_unit_with_its_old_handler_is_refused(world, people):
    """The service checks the handler against the unit chosen with them, not the old one."""
    handler, _assignable = people["case_handler_right_unit"]
    concern = make_concern(world.project)
    other_unit = world.users["case_handler"].memberships.get().unit
    client = english(world.users["coordinator"])
    response = client.post(
        reverse("concerns:assign", args=[concern.pk]),
        {"unit": other_unit.pk, "handler": handler.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot handle concern" in html and concern.reference in html
    concern.refresh_from_db()
    assert concern.assigned_unit == world.project.responsible_unit
    assert concern.assigned_to is None


def test_bulk_assignment_all_or_nothing_when_one_concern_is_out_of_the_handlers_reach(
    world, people
):
    handler, _assignable = people["case_handler_right_unit"]
    mine = make_concern(world.project)
    elsewhere = make_concern(world.project)
    other_unit = world.users["case_handler"].memberships.get().unit
    services.concern_assign(concern=elsewhere, unit=other_unit)
    client = english(world.users["coordinator"])
    response = client.post(
        reverse("concerns:bulk_assign"),
        {"concern": [mine.pk, elsewhere.pk], "bulk-unit": "", "bulk-handler": handler.pk},
    )
    assert response.status_code == 400
    assert elsewhere.reference in response.content.decode()
    assert not Concern.objects.filter(assigned_to=handler).exists()
