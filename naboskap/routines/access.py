"""How staff views open routines: 404 outside the user's reach, 403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.routines.models import Routine
from naboskap.tenancy.selectors import enter_municipality


def get_routine_for_user(user, pk: int, perm: str = "routines.view_routine") -> Routine:
    routine = Routine.objects.select_related("municipality", "supersedes").filter(pk=pk).first()
    if routine is None or not rules.has_perm("routines.view_routine", user, routine):
        raise Http404
    if perm != "routines.view_routine" and not rules.has_perm(perm, user, routine):
        raise PermissionDenied
    enter_municipality(user, routine.municipality_id)  # None for a shipped routine: no change
    return routine
