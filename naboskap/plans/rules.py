"""Who may see and change the action plan, and who reads what the public said.

Everyone with a role in the project reads its plan. Coordinators, administrators and the
dialogue owner change it; the people of a measure's owner unit report its progress.

Inputs (what neighbours and others said) are need-to-know. An input has no unit of its own
(it is not routed like a concern), so the people who handle a project's inputs are:

- the municipality's administrators and coordinators (a municipality-wide role, or one
  narrowed to this project),
- the project's dialogue owner,
- the case handlers of the project's responsible unit (the unit that answers for the
  project, and so for what its neighbours ask of it).

Only they read an input's own text, who said it and the sender's email address
(`plans.view_raw_input`), open its page (each opening is logged in the audit log's access
log) and get the email that a suggestion is waiting. Everyone else who reaches the project
(case handlers of other units, facility staff, the caretaker, the police liaison,
politicians) sees how many inputs there are per publication and decision, and the published
ones as the public page shows them ("You said – we did": the curated public text, the
decision and its reason), never the original text, names or addresses. Deciding and
publishing stay with those who change the plan (`plans.change_plan`).
"""

import rules

from naboskap.projects.rules import (
    can_change,
    is_dialogue_owner,
    manages_project,
    reaches_project,
)
from naboskap.tenancy.models import Role
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


@rules.predicate
def in_responsible_unit(user, project) -> bool:
    """A case handler of the project's responsible unit (municipality-wide or in the
    project)."""
    return project.responsible_unit_id is not None and any(
        m.role == Role.CASE_HANDLER
        and m.unit_id == project.responsible_unit_id
        and m.municipality_id == project.municipality_id
        and (m.project_id is None or m.project_id == project.pk)
        for m in memberships_of(user)
    )


# The people who handle a project's inputs (see the module's docstring).
handles_inputs = reaches_project & (manages_project | is_dialogue_owner | in_responsible_unit)

rules.add_perm("plans.view_plan", reaches_project)
rules.add_perm("plans.change_plan", can_change)
rules.add_perm("plans.view_raw_input", handles_inputs)
rules.add_perm("plans.view_input_access_log", can_change)
rules.add_perm("plans.view_measure", reaches_measure_project)
# Edit a measure's plan fields: whoever may change the project's plan.
rules.add_perm("plans.change_measure", reaches_measure_project & changes_measure_project)
rules.add_perm(
    "plans.update_measure", reaches_measure_project & (changes_measure_project | in_owner_unit)
)
