"""The one way staff views fetch what the register and neighbour lists belong to."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from naboskap.tenancy.models import Municipality
from naboskap.tenancy.rules import memberships_of


def administered_municipality(request: HttpRequest) -> Municipality:
    """The (first) municipality whose address register the user manages; 403 otherwise."""
    ids = sorted({m.municipality_id for m in memberships_of(request.user)})
    for municipality in Municipality.objects.filter(pk__in=ids).order_by("pk"):
        if rules.has_perm("stakeholders.manage_addresses", request.user, municipality):
            return municipality
    raise PermissionDenied
