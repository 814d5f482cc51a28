"""The staff menu: what this user can open in the municipality they work in now, and nothing
that would answer 403 (issue 18). One list, asked of the rules each app already has."""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.urls import reverse
from django.utils.translation import gettext as _

from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import memberships_of

# Roles that own or follow measures through a unit: politicians and the police liaison read
# the plans of their projects, but have no unit's list of their own.
MEASURE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CASE_HANDLER, Role.FACILITY_STAFF})


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    current: bool = False


def staff_menu(request, municipality) -> list[MenuItem]:
    """The menu items in their order. The item whose address the current page is under is
    marked current (the start page only on itself)."""
    user = request.user
    if not user.is_authenticated or municipality is None:
        return []
    here = [m for m in memberships_of(user) if m.municipality_id == municipality.pk]
    roles = {m.role for m in here}
    entries = [
        (_("Today"), "insights:home", True),
        (_("My projects"), "projects:my_projects", bool(here)),
        (
            _("Concerns"),
            "concerns:inbox",
            rules.has_perm("concerns.use_inbox", user, municipality),
        ),
        (_("My unit's measures"), "plans:my_measures", bool(roles & MEASURE_ROLES)),
        (
            _("Status reports"),
            "reports:list",
            rules.has_perm("reports.use_reports", user, municipality),
        ),
        (_("Routines"), "routines:list", rules.has_perm("routines.use_routines", user)),
        (
            _("Stakeholders"),
            "stakeholders:organisation_list",
            rules.has_perm("stakeholders.use_register", user),
        ),
        (
            _("Address register"),
            "stakeholders:addresses",
            rules.has_perm("stakeholders.use_address_register", user, municipality),
        ),
        (_("Privacy"), "privacy:index", rules.has_perm("privacy.view_records", user, municipality)),
        (
            _("Archive"),
            "archive:overview",
            rules.has_perm("archive.use_archive", user, municipality),
        ),
        (
            _("Administration"),
            "administration:users",
            rules.has_perm("tenancy.use_administration", user),
        ),
    ]
    home = reverse("insights:home")
    items = []
    for label, name, shown in entries:
        if shown:
            url = reverse(name)
            current = request.path == url if url == home else request.path.startswith(url)
            items.append(MenuItem(label, url, current))
    return items
