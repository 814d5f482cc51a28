"""Who has a start page ("I dag", issue 18): every staff member (anyone with a role)."""

import rules

from naboskap.tenancy.rules import is_staff_member

rules.add_perm("insights.use_home", is_staff_member)
