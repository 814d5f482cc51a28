"""Who keeps the archive: the municipality's administrators and its archivists, with a
municipality-wide role. They see what was sent to the archive, what failed and why, send
again and choose what is archived and how. The archive page lists titles, numbers and states,
never a concern's text (the titles carry no personal data), so an archivist reads no more of
the public's words here than the archive itself will hold."""

import rules

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import roles_in

KEEPERS = frozenset({Role.ADMIN, Role.ARCHIVIST})


@rules.predicate
def keeps_archive(user, municipality) -> bool:
    return bool(roles_in(user, municipality) & KEEPERS)


rules.add_perm("archive.use_archive", keeps_archive)
