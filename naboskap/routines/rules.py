"""Who may see and change routines and a project's checklist.

Administrators and coordinators of a municipality write its routines; everyone with a role
reads them, and the routines shipped with Naboskap are read by all staff. A project's
checklist is read by everyone who reaches the project; a task is completed by those who
change the project and by the holders of the task's responsible role in the project.
"""

import rules

from naboskap.projects.rules import can_change, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import is_staff_member, memberships_of, municipality_roles, roles_for


@rules.predicate
def writes_routines(user, municipality) -> bool:
    roles = municipality_roles(user, municipality.pk)
    return Role.ADMIN in roles or Role.COORDINATOR in roles


@rules.predicate
def reads_routine(user, routine) -> bool:
    """Shipped routines: all staff. A municipality's: anyone with a role in it (a role in
    one of its projects is enough, as the project's checklist shows the routine's tasks)."""
    if routine.municipality_id is None:
        return is_staff_member(user)
    return any(m.municipality_id == routine.municipality_id for m in memberships_of(user))


@rules.predicate
def writes_routine(user, routine) -> bool:
    return routine.municipality is not None and writes_routines(user, routine.municipality)


@rules.predicate
def holds_task_role(user, task) -> bool:
    return task.responsible_role in roles_for(user, task.project.municipality_id, task.project_id)


@rules.predicate
def reaches_task_project(user, task) -> bool:
    return reaches_project(user, task.project)


@rules.predicate
def changes_task_project(user, task) -> bool:
    return can_change(user, task.project)


rules.add_perm("routines.use_routines", is_staff_member)
rules.add_perm("routines.add_routine", writes_routines)
rules.add_perm("routines.view_routine", reads_routine)
rules.add_perm("routines.change_routine", reads_routine & writes_routine)
rules.add_perm("routines.view_checklist", reaches_project)
rules.add_perm("routines.apply_routine", can_change)
rules.add_perm(
    "routines.complete_task", reaches_task_project & (changes_task_project | holds_task_role)
)
