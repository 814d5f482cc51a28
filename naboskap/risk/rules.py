"""Who may see and change ROS analyses and scales.

Everyone with a role in the project reads its analyses (politicians too); coordinators,
administrators and the dialogue owner change them. A municipality's scales are read by its
staff and edited by its administrators and coordinators.
"""

import rules

from naboskap.projects.rules import can_change, manages_project, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import is_municipality_staff, municipality_roles


@rules.predicate
def edits_scales(user, municipality) -> bool:
    roles = municipality_roles(user, municipality.pk)
    return Role.ADMIN in roles or Role.COORDINATOR in roles


rules.add_perm("risk.view_analyses", reaches_project)
rules.add_perm("risk.change_analyses", can_change)
rules.add_perm("risk.view_scales", is_municipality_staff)
rules.add_perm("risk.change_scales", is_municipality_staff & edits_scales)
# Publishing the summary speaks for the municipality: the project's coordinator or an
# administrator, not the dialogue owner alone.
rules.add_perm("risk.publish_summary", reaches_project & manages_project)
