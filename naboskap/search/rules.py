"""Who may search: every staff member. What each one finds is decided per kind by the apps'
own selectors and rules (see `search.selectors`), never here."""

import rules

from naboskap.tenancy.rules import is_staff_member

rules.add_perm("search.use_search", is_staff_member)
