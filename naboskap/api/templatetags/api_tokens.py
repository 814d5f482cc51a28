"""`{% load api_tokens %}{% member_api_tokens member %}`: the section "API tokens" of the
administrator's page for a user (`tenancy/administration/user.html`), whose view knows nothing
of the API (tenancy does not import it): the user's tokens with a revoke button each, and the
form that creates one, which posts to `api_tokens:member_create`."""

from django import template

from naboskap.api.forms import TokenForm
from naboskap.api.selectors import split_rows, token_rows

register = template.Library()


@register.inclusion_tag("api/includes/member_tokens.html", takes_context=True)
def member_api_tokens(context, member):
    active, inactive = split_rows(token_rows(member))
    return {
        "member": member,
        "active_rows": active,
        "inactive_rows": inactive,
        "form": TokenForm(prefix="token"),
        "csrf_token": context.get("csrf_token"),
    }
