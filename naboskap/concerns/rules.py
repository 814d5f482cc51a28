"""Who may see and handle concerns.

Concerns are often about vulnerable residents, so the circle is small: the municipality's
administrators and coordinators, the facility staff of the project, and the case handlers of
the unit the concern is routed to. Reporter contact details are narrower still.
"""

import rules

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import is_municipality_admin, memberships_of, roles_for

HANDLER_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.FACILITY_STAFF}


@rules.predicate
def handles_concern(user, concern) -> bool:
    if HANDLER_ROLES & roles_for(user, concern.municipality_id, concern.project_id):
        return True
    return handles_for_unit(user, concern)


@rules.predicate
def handles_for_unit(user, concern) -> bool:
    return concern.assigned_unit_id is not None and any(
        m.role == Role.CASE_HANDLER
        and m.unit_id == concern.assigned_unit_id
        and m.municipality_id == concern.municipality_id
        for m in memberships_of(user)
    )


@rules.predicate
def coordinates_project(user, concern) -> bool:
    roles = roles_for(user, concern.municipality_id, concern.project_id)
    if Role.COORDINATOR in roles:
        return True
    # A concern about the area in general has no project (and no dialogue owner).
    return concern.project is not None and concern.project.dialogue_owner_id == user.pk


@rules.predicate
def administers(user, concern) -> bool:
    return Role.ADMIN in roles_for(user, concern.municipality_id, concern.project_id)


@rules.predicate
def registers_concerns(user, municipality) -> bool:
    """Registers concerns received by phone, letter, at the front desk…: everyone who handles
    concerns in the municipality (not politicians, not the police)."""
    return municipality is not None and any(
        m.municipality_id == municipality.pk
        and (m.role in HANDLER_ROLES or m.role == Role.CASE_HANDLER)
        for m in memberships_of(user)
    )


rules.add_perm("concerns.register_concern", registers_concerns)
rules.add_perm("concerns.view_concern", handles_concern)
rules.add_perm("concerns.change_concern", handles_concern)
rules.add_perm("concerns.view_contact", handles_for_unit | coordinates_project)
# The inbox of the municipality the user works in now (tenancy.selectors.staff_municipality).
rules.add_perm("concerns.use_inbox", registers_concerns)
rules.add_perm("concerns.view_access_log", coordinates_project | administers)
rules.add_perm("concerns.configure", is_municipality_admin)
# Whether a concern counts in the situation picture shared with the police: the case handlers
# of the unit and the project's coordinators and administrators decide.
rules.add_perm(
    "concerns.mark_police_relevant", handles_for_unit | coordinates_project | administers
)
