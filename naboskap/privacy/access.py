"""The municipality whose privacy records a request reads.

Privacy pages carry no object in their address: they show the municipality the staff member
works in (`tenancy.selectors.staff_municipality`, the one context every staff list uses).
403 when the user may not read that record there.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied

from naboskap.tenancy.models import Municipality
from naboskap.tenancy.selectors import staff_municipality

VIEW_LOGS = "privacy.view_logs"
VIEW_RECORDS = "privacy.view_records"
VIEW_DPIA = "privacy.view_dpia"


def get_privacy_municipality(request, perm: str = VIEW_RECORDS) -> Municipality:
    municipality = staff_municipality(request)
    if municipality is None or not rules.has_perm(perm, request.user, municipality):
        raise PermissionDenied
    return municipality
