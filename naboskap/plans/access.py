"""The one way staff views fetch a measure: 404 outside the user's reach, 403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.plans.models import SOURCE_FIELDS, Measure
from naboskap.projects.access import get_project_for_user


def get_measure_for_user(
    user, project_pk: int, pk: int, perm: str = "plans.view_measure"
) -> Measure:
    project = get_project_for_user(user, project_pk, "plans.view_plan")
    measure = (
        Measure.objects.select_related("owner_unit", "responsible", *SOURCE_FIELDS)
        .filter(pk=pk, project=project)
        .first()
    )
    if measure is None:
        raise Http404
    measure.project = project  # already loaded, with its municipality
    if not rules.has_perm("plans.view_measure", user, measure):
        raise Http404
    if perm != "plans.view_measure" and not rules.has_perm(perm, user, measure):
        raise PermissionDenied
    return measure
