"""The one way staff views fetch an input: 404 outside the user's reach, 403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.plans.models import Input
from naboskap.projects.access import get_project_for_user


def get_input_for_user(user, project_pk: int, pk: int, perm: str = "plans.view_plan") -> Input:
    """The input of a project the user reaches; `perm` is checked on the project."""
    project = get_project_for_user(user, project_pk, "plans.view_plan")
    input = Input.objects.select_related("created_by").filter(pk=pk, project=project).first()
    if input is None:
        raise Http404
    input.project = project  # already loaded, with its municipality
    if perm != "plans.view_plan" and not rules.has_perm(perm, user, project):
        raise PermissionDenied
    return input
