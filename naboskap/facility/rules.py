"""Who may walk rounds and keep the incident log.

Caretakers and facility staff walk rounds and log observations; administrators and
coordinators follow them. The incident log is the facility's: its staff and the project's
managers write it, caretakers read it. Police, politicians and case handlers see none of
it here (the police get counts only, in the situation picture).
"""

import rules

from naboskap.projects.rules import reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import roles_for

ROUND_ROLES = frozenset({Role.CARETAKER, Role.FACILITY_STAFF, Role.ADMIN, Role.COORDINATOR})
LOG_WRITERS = frozenset({Role.FACILITY_STAFF, Role.ADMIN, Role.COORDINATOR})
LOG_READERS = LOG_WRITERS | {Role.CARETAKER}


def _holds(user, project, roles) -> bool:
    return bool(roles_for(user, project.municipality_id, project.pk) & roles)


@rules.predicate
def walks_rounds(user, project) -> bool:
    return _holds(user, project, ROUND_ROLES)


@rules.predicate
def reads_incident_log(user, project) -> bool:
    return _holds(user, project, LOG_READERS)


@rules.predicate
def writes_incident_log(user, project) -> bool:
    return _holds(user, project, LOG_WRITERS)


rules.add_perm("facility.walk_rounds", reaches_project & walks_rounds)
rules.add_perm("facility.view_incidents", reaches_project & reads_incident_log)
rules.add_perm("facility.log_incidents", reaches_project & writes_incident_log)
