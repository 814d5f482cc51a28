"""Who may see and change neighbour lists and the address register.

A neighbour list is read by everyone who reaches the project and changed by those who change
the project (its managers and dialogue owner). The register is the municipality
administrator's.
"""

import rules

from naboskap.projects.rules import can_change, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import is_municipality_admin, memberships_of

rules.add_perm("stakeholders.view_neighbour_list", reaches_project)
rules.add_perm("stakeholders.change_neighbour_list", can_change)
rules.add_perm("stakeholders.manage_addresses", is_municipality_admin)


@rules.predicate
def administers_a_municipality(user) -> bool:
    return any(m.role == Role.ADMIN and m.project_id is None for m in memberships_of(user))


rules.add_perm("stakeholders.use_address_register", administers_a_municipality)
