"""Who may see and change the action plan.

Everyone with a role in the project reads its plan. Coordinators, administrators and the
dialogue owner change it; the people of a measure's owner unit report its progress.
"""

import rules

from naboskap.projects.rules import can_change, reaches_project
from naboskap.tenancy.rules import memberships_of


@rules.predicate
def in_owner_unit(user, measure) -> bool:
    return any(
        m.unit_id == measure.owner_unit_id and m.municipality_id == measure.project.municipality_id
        for m in memberships_of(user)
    )


@rules.predicate
def reaches_measure_project(user, measure) -> bool:
    return reaches_project(user, measure.project)


@rules.predicate
def changes_measure_project(user, measure) -> bool:
    return can_change(user, measure.project)


rules.add_perm("plans.view_plan", reaches_project)
rules.add_perm("plans.change_plan", can_change)
rules.add_perm("plans.view_measure", reaches_measure_project)
rules.add_perm(
    "plans.update_measure", reaches_measure_project & (changes_measure_project | in_owner_unit)
)
