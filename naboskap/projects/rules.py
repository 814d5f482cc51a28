"""Project permissions, built from the role predicates in tenancy.rules."""

import rules

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import municipality_roles, roles_for


@rules.predicate
def reaches_project(user, project) -> bool:
    """Any role in the project's municipality (or in the project itself)."""
    return bool(roles_for(user, project.municipality_id, project.pk))


@rules.predicate
def manages_project(user, project) -> bool:
    roles = roles_for(user, project.municipality_id, project.pk)
    return Role.ADMIN in roles or Role.COORDINATOR in roles


@rules.predicate
def is_dialogue_owner(user, project) -> bool:
    return project.dialogue_owner_id == user.pk


@rules.predicate
def informs_neighbours(user, project) -> bool:
    """Facility staff write news for their project's neighbours."""
    return Role.FACILITY_STAFF in roles_for(user, project.municipality_id, project.pk)


@rules.predicate
def creates_projects(user, municipality) -> bool:
    roles = municipality_roles(user, municipality.pk)
    return Role.ADMIN in roles or Role.COORDINATOR in roles


can_change = reaches_project & (manages_project | is_dialogue_owner)

rules.add_perm("projects.view_project", reaches_project)
rules.add_perm("projects.change_project", can_change)
rules.add_perm("projects.add_project", creates_projects)
rules.add_perm("projects.write_update", can_change | (reaches_project & informs_neighbours))
