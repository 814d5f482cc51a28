import rules
from django import template

from naboskap.tenancy.navigation import staff_menu as menu_for

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's full name, else username; a dash when there is nobody (a deleted user)."""
    if user is None:
        return "–"
    return user.get_full_name() or user.get_username()


@register.filter
def get(mapping, key):
    """`{{ counts|get:status }}`: a dictionary lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def rule(perm: str, user, obj=None) -> bool:
    """`{% rule "app.perm" user as ok %}`: the permission from Naboskap's rules alone.

    Unlike `{% has_perm %}` (`user.has_perm`), this asks no other backend: no permission
    queries for the menu, and a Django superuser gets only what their memberships give.
    """
    return rules.has_perm(perm, user, obj)


@register.simple_tag(takes_context=True)
def staff_menu(context):
    """`{% staff_menu as menu %}`: the staff menu for the page's user and municipality."""
    request = context.get("request")
    if request is None:
        return []
    return menu_for(request, context.get("municipality"))
