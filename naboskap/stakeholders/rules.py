"""Who may see and change the stakeholder register, neighbour lists and the address register.

A neighbour list is read by everyone who reaches the project and changed by those who change
the project (its managers and dialogue owner). The register is the municipality
administrator's.
"""

import rules
from django.db.models import Q

from naboskap.projects.models import Project
from naboskap.projects.rules import can_change, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import (
    is_municipality_admin,
    is_municipality_staff,
    is_staff_member,
    memberships_of,
    municipality_roles,
    roles_for,
)

rules.add_perm("stakeholders.view_neighbour_list", reaches_project)
rules.add_perm("stakeholders.change_neighbour_list", can_change)
rules.add_perm("stakeholders.manage_addresses", is_municipality_admin)


@rules.predicate
def administers_a_municipality(user, municipality=None) -> bool:
    """For the menu: administers `municipality` (the one the user works in), or any."""
    pk = getattr(municipality, "pk", None)
    return any(
        m.role == Role.ADMIN and m.project_id is None and (pk is None or m.municipality_id == pk)
        for m in memberships_of(user)
    )


rules.add_perm("stakeholders.use_address_register", administers_a_municipality)


# The stakeholder register ------------------------------------------------------------------
#
# Organisations are public bodies and groups: every member of the municipality's staff sees
# them. Persons are personal data, seen only by the project team of a project they are linked
# to: the municipality's administrators and coordinators (who run every project), the
# coordinators, administrators and facility staff of the project itself, and its dialogue
# owner. Case handlers, police liaisons and politicians do not see persons. A person linked
# to no project is seen by the municipality's administrators and coordinators only.

TEAM_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.FACILITY_STAFF})
REGISTER_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})


def runs_register(user, municipality_id: int) -> bool:
    """A municipality-wide administrator or coordinator: sees and changes every person."""
    return bool(REGISTER_ROLES & municipality_roles(user, municipality_id))


def on_team(user, project) -> bool:
    return (
        bool(TEAM_ROLES & roles_for(user, project.municipality_id, project.pk))
        or project.dialogue_owner_id == user.pk
    )


def team_project_ids(user, municipality_id: int):
    """The ids of the municipality's projects whose team the user is on (a queryset)."""
    projects = Project.objects.filter(municipality_id=municipality_id)
    if TEAM_ROLES & municipality_roles(user, municipality_id):
        return projects.values("pk")
    scoped = [
        m.project_id
        for m in memberships_of(user)
        if m.municipality_id == municipality_id and m.project_id and m.role in TEAM_ROLES
    ]
    return projects.filter(Q(pk__in=scoped) | Q(dialogue_owner=user)).values("pk")


@rules.predicate
def sees_persons(user, municipality) -> bool:
    """May open the municipality's person register (sees at least some persons)."""
    if runs_register(user, municipality.pk):
        return True
    return (
        any(
            m.municipality_id == municipality.pk and m.role in TEAM_ROLES
            for m in memberships_of(user)
        )
        or municipality.projects.filter(dialogue_owner=user.pk).exists()
    )


@rules.predicate
def keeps_register(user, municipality) -> bool:
    """Adds organisations and persons: administrators and coordinators, also of one project."""
    return (
        any(
            m.municipality_id == municipality.pk and m.role in REGISTER_ROLES
            for m in memberships_of(user)
        )
        or municipality.projects.filter(dialogue_owner=user.pk).exists()
    )


@rules.predicate
def sees_person(user, person) -> bool:
    if runs_register(user, person.municipality_id):
        return True
    return any(on_team(user, project) for project in person.projects.all())


@rules.predicate
def changes_person(user, person) -> bool:
    if runs_register(user, person.municipality_id):
        return True
    return any(
        REGISTER_ROLES & roles_for(user, project.municipality_id, project.pk)
        or project.dialogue_owner_id == user.pk
        for project in person.projects.all()
    )


def register_project_ids(user, municipality_id: int):
    """The ids of the municipality's projects whose stakeholders the user keeps (a queryset):
    every project for its administrators and coordinators; else the projects where the user
    is an administrator or coordinator, or the dialogue owner."""
    projects = Project.objects.filter(municipality_id=municipality_id)
    if runs_register(user, municipality_id):
        return projects.values("pk")
    scoped = [
        m.project_id
        for m in memberships_of(user)
        if m.municipality_id == municipality_id and m.project_id and m.role in REGISTER_ROLES
    ]
    return projects.filter(Q(pk__in=scoped) | Q(dialogue_owner=user.pk)).values("pk")


@rules.predicate
def sees_organisation(user, organisation) -> bool:
    return is_municipality_staff(user, organisation.municipality)


@rules.predicate
def changes_organisation(user, organisation) -> bool:
    """Organisations follow project scope like persons: the municipality's administrators and
    coordinators change every one; someone whose role is limited to a project (or who owns a
    project's dialogue) changes only those linked to that project. An organisation linked to
    no project is the municipality-wide register keepers' alone."""
    if runs_register(user, organisation.municipality_id):
        return True
    return any(
        REGISTER_ROLES & roles_for(user, project.municipality_id, project.pk)
        or project.dialogue_owner_id == user.pk
        for project in organisation.projects.all()
    )


@rules.predicate
def is_on_team(user, project) -> bool:
    return on_team(user, project)


rules.add_perm("stakeholders.view_organisations", is_municipality_staff)
rules.add_perm("stakeholders.view_persons", sees_persons)
rules.add_perm("stakeholders.add_stakeholder", keeps_register)
rules.add_perm("stakeholders.view_organisation", sees_organisation)
rules.add_perm("stakeholders.change_organisation", changes_organisation)
rules.add_perm("stakeholders.view_person", sees_person)
rules.add_perm("stakeholders.change_person", changes_person)
rules.add_perm("stakeholders.erase_person", changes_person)
# Interactions and assessments name persons, so they are the project team's.
rules.add_perm("stakeholders.view_interactions", is_on_team)
rules.add_perm("stakeholders.log_interaction", is_on_team)
rules.add_perm("stakeholders.view_analysis", is_on_team)
rules.add_perm("stakeholders.assess_stakeholder", can_change)
rules.add_perm("stakeholders.use_register", is_staff_member)

# Place and process analyses and invitation letters ------------------------------------------
#
# An analysis names places and public events, no persons: everyone who reaches the project
# reads it; those who change the project edit and approve it and print letters to the
# neighbour list. A letter template for the whole municipality is its administrators' and
# coordinators'. Importing into the register is theirs too (it updates what it matches);
# exporting persons exports only the persons the user sees.


@rules.predicate
def runs_municipality_register(user, municipality) -> bool:
    return runs_register(user, municipality.pk)


rules.add_perm("stakeholders.view_place_analysis", reaches_project)
rules.add_perm("stakeholders.change_place_analysis", can_change)
rules.add_perm("stakeholders.send_letters", can_change)
rules.add_perm("stakeholders.change_municipality_letters", runs_municipality_register)
# An import updates any organisation or person of the municipality it matches by name or
# email, so it is for those who keep the whole register.
rules.add_perm("stakeholders.import_register", runs_municipality_register)
