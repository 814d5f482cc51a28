"""Who learns from what worked.

The catalogue shows measures' titles, what they address and their observed effects: no
concern's text, no name, nothing about residents. Those who plan read it: the municipality's
administrators and coordinators with a municipality-wide role, and anyone who manages a
project (a coordinator narrowed to one project learns from the others too). They also get
the suggestions where plans are made. The administrators choose how effects are measured,
whether the municipality shares with the others of the deployment, and take the anonymised
export for research.
"""

import rules

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import memberships_of, roles_in

PLANNERS = frozenset({Role.ADMIN, Role.COORDINATOR})


@rules.predicate
def plans_in(user, municipality) -> bool:
    """An administrator or coordinator of the municipality, or of one of its projects."""
    return any(
        m.municipality_id == municipality.pk and m.role in PLANNERS for m in memberships_of(user)
    )


@rules.predicate
def administers(user, municipality) -> bool:
    return Role.ADMIN in roles_in(user, municipality)


rules.add_perm("whatworks.view_catalogue", plans_in)
rules.add_perm("whatworks.change_settings", administers)
rules.add_perm("whatworks.export", administers)
