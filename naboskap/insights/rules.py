"""Who sees and runs the neighbour survey.

Everyone with a role in the project reads the results (open answers included: they are
staff only, never public); coordinators, administrators and the dialogue owner run rounds.
"""

import rules

from naboskap.projects.rules import can_change, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import is_municipality_staff, municipality_roles

rules.add_perm("insights.view_survey", reaches_project)
rules.add_perm("insights.run_survey", can_change)


@rules.predicate
def edits_templates(user, municipality) -> bool:
    roles = municipality_roles(user, municipality.pk)
    return Role.ADMIN in roles or Role.COORDINATOR in roles


# A municipality's survey templates: read by its staff, edited by its administrators and
# coordinators (municipality-wide, as for ROS scales: they run the rounds that use them).
rules.add_perm("insights.view_templates", is_municipality_staff)
rules.add_perm("insights.change_templates", is_municipality_staff & edits_templates)


# Dashboards (aggregates only, no personal data anywhere on them). A project's dashboard is
# read by everyone with a role in the project: administrators, coordinators, politicians,
# case handlers and the police liaison of the municipality, and the project's facility staff
# (the same people who already read the project page and its plan). The municipality's
# dashboard compares projects and units, so it is for those who steer the work across the
# municipality: administrators, coordinators and politicians with a municipality-wide role.
@rules.predicate
def steers_municipality(user, municipality) -> bool:
    roles = municipality_roles(user, municipality.pk)
    return bool(roles & {Role.ADMIN, Role.COORDINATOR, Role.POLITICIAN})


rules.add_perm("insights.view_project_dashboard", reaches_project)
rules.add_perm("insights.view_municipality_dashboard", steers_municipality)
