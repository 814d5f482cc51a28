from django import template

from naboskap.reports.rules import READERS
from naboskap.tenancy.rules import memberships_of

register = template.Library()


@register.simple_tag(takes_context=True)
def reads_status_reports(context) -> bool:
    """Whether the user reads any status reports (no query: memberships are loaded once)."""
    return any(m.role in READERS for m in memberships_of(context["request"].user))
