from django import template

from naboskap.reports.rules import READERS
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import staff_municipality

register = template.Library()


@register.simple_tag(takes_context=True)
def reads_status_reports(context) -> bool:
    """Whether the user reads status reports in the municipality they work in."""
    request = context["request"]
    home = staff_municipality(request)
    return home is not None and any(
        m.role in READERS and m.municipality_id == home.pk for m in memberships_of(request.user)
    )
