"""Who sees and runs the neighbour survey.

Everyone with a role in the project reads the results: response counts and the figures of
the agree-or-disagree questions (from MIN_GROUP_SIZE answers). Open answers are neighbours'
own words and need-to-know: only those who run the project's survey read them (the
municipality's administrators and coordinators, and the project's dialogue owner, who owns
the survey), and only for a round with at least MIN_GROUP_SIZE responses; everyone else sees
how many open answers there are. Coordinators, administrators and the dialogue owner run
rounds.
"""

import rules

from naboskap.projects.rules import can_change, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import is_municipality_staff, municipality_roles

rules.add_perm("insights.view_survey", reaches_project)
rules.add_perm("insights.run_survey", can_change)
rules.add_perm("insights.view_open_answers", can_change)


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
