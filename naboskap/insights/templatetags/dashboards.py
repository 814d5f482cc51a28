"""`{% dashboard_municipalities as municipalities %}`: the municipalities whose dashboard the
user may read, for links to it (e.g. on "My projects"). One query."""

import rules
from django import template

from naboskap.tenancy.models import Municipality
from naboskap.tenancy.rules import memberships_of

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_municipalities(context) -> list[Municipality]:
    user = context["request"].user
    ids = {m.municipality_id for m in memberships_of(user) if m.project_id is None}
    if not ids:
        return []
    return [
        municipality
        for municipality in Municipality.objects.filter(pk__in=ids).order_by("name")
        if rules.has_perm("insights.view_municipality_dashboard", user, municipality)
    ]
