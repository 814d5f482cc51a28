"""Who reads the privacy records of a municipality.

The deletion and erasure logs and the record of processing activities are read by the
municipality's administrators and its municipality-wide coordinators (the logs carry no
project, so a coordinator of one project does not see them). The DPIA support document is
the administrator's, who hands it to the privacy officer.
"""

import rules

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import roles_in

RECORD_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})


@rules.predicate
def reads_privacy_records(user, municipality) -> bool:
    return bool(RECORD_ROLES & roles_in(user, municipality))


@rules.predicate
def administers(user, municipality) -> bool:
    return Role.ADMIN in roles_in(user, municipality)


rules.add_perm("privacy.view_logs", reads_privacy_records)
rules.add_perm("privacy.view_records", reads_privacy_records)
rules.add_perm("privacy.view_dpia", administers)
