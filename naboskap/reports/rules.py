"""Who reads and makes status reports.

Politicians, administrators and coordinators read them: a municipality's report with a
role across the municipality, a project's report with a role in the project too.
Administrators and coordinators make reports and edit schedules; politicians only read.
Other staff (case handlers, facility staff, the police) see the project but not its
reports: 403.
"""

import rules

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import (
    is_municipality_staff,
    memberships_of,
    municipality_roles,
    roles_for,
)

READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.POLITICIAN})
MAKERS = frozenset({Role.ADMIN, Role.COORDINATOR})


@rules.predicate
def reads_municipality_reports(user, municipality) -> bool:
    return bool(municipality_roles(user, municipality.pk) & READERS)


@rules.predicate
def makes_municipality_reports(user, municipality) -> bool:
    return bool(municipality_roles(user, municipality.pk) & MAKERS)


@rules.predicate
def reads_project_reports(user, project) -> bool:
    return bool(roles_for(user, project.municipality_id, project.pk) & READERS)


@rules.predicate
def makes_project_reports(user, project) -> bool:
    return bool(roles_for(user, project.municipality_id, project.pk) & MAKERS)


@rules.predicate
def reads_reports_in(user, municipality) -> bool:
    """Reads some report of the municipality: its own, or a project's (`readable_reports`)."""
    return any(
        m.role in READERS and m.municipality_id == municipality.pk for m in memberships_of(user)
    )


# The staff menu's "Status reports": the list is not empty for this user.
rules.add_perm("reports.use_reports", reads_reports_in)
rules.add_perm(
    "reports.view_municipality_reports", is_municipality_staff & reads_municipality_reports
)
rules.add_perm(
    "reports.make_municipality_reports", is_municipality_staff & makes_municipality_reports
)
rules.add_perm("reports.view_project_reports", reads_project_reports)
rules.add_perm("reports.make_project_reports", makes_project_reports)
