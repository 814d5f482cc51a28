"""Who may do what: role predicates shared by every app.

A user's memberships are loaded once per user object (one query per request) and the
predicates below answer from that list. Apps combine them in their own `rules.py`.
"""

from __future__ import annotations

import rules

from naboskap.tenancy.models import Membership, Role

STAFF_ROLES = frozenset(Role.values)
WRITE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})


def memberships_of(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_naboskap_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user))
        user._naboskap_memberships = cached
    return cached


def roles_for(user, municipality_id: int, project_id: int | None = None) -> set[str]:
    """The roles a user holds for a municipality, or for one project within it.

    A municipality-wide membership reaches every project; a project membership reaches only
    its project.
    """
    return {
        m.role
        for m in memberships_of(user)
        if m.municipality_id == municipality_id
        and (m.project_id is None or (project_id is not None and m.project_id == project_id))
    }


def municipality_roles(user, municipality_id: int) -> set[str]:
    """Roles held across the whole municipality (not narrowed to one project)."""
    return {
        m.role
        for m in memberships_of(user)
        if m.municipality_id == municipality_id and m.project_id is None
    }


def roles_in(user, municipality) -> set[str]:
    """`municipality_roles` for a municipality object, none for no municipality: the menu asks
    with the page's municipality, which a public page may lack (a lazy object wrapping None)."""
    pk = getattr(municipality, "pk", None)
    return municipality_roles(user, pk) if pk is not None else set()


@rules.predicate
def is_staff_member(user) -> bool:
    return bool(memberships_of(user))


@rules.predicate
def is_municipality_staff(user, municipality) -> bool:
    return any(m.municipality_id == municipality.pk for m in memberships_of(user))


@rules.predicate
def is_municipality_admin(user, municipality) -> bool:
    return Role.ADMIN in municipality_roles(user, municipality.pk)


rules.add_perm("tenancy.view_municipality", is_municipality_staff)


@rules.predicate
def administers_current_municipality(user) -> bool:
    """Administrator of the municipality the user works in now (the menu's "Administration")."""
    if not any(m.role == Role.ADMIN and m.project_id is None for m in memberships_of(user)):
        return False  # no query for everyone else
    # Local: selectors imports this module (memberships_of), and the rules load first.
    from naboskap.tenancy.selectors import current_municipality

    municipality = current_municipality(user)
    return municipality is not None and is_municipality_admin(user, municipality)


rules.add_perm("tenancy.manage_municipality", is_municipality_admin)
rules.add_perm("tenancy.use_administration", administers_current_municipality)
