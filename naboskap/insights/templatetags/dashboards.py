"""`{% dashboard_municipalities as municipalities %}`: the municipality the user works in,
if they may read its dashboard, for a link to it (e.g. on "My projects")."""

import rules
from django import template

from naboskap.tenancy.models import Municipality
from naboskap.tenancy.selectors import staff_municipality

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_municipalities(context) -> list[Municipality]:
    request = context["request"]
    municipality = staff_municipality(request)
    if municipality and rules.has_perm(
        "insights.view_municipality_dashboard", request.user, municipality
    ):
        return [municipality]
    return []
