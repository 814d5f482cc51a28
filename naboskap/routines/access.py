"""How staff views open routines: 404 outside the user's reach, 403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from naboskap.projects.access import get_project_for_user
from naboskap.routines.models import ProjectTask, Routine
from naboskap.tenancy.selectors import enter_municipality


def get_routine_for_user(user, pk: int, perm: str = "routines.view_routine") -> Routine:
    routine = Routine.objects.select_related("municipality", "supersedes").filter(pk=pk).first()
    if routine is None or not rules.has_perm("routines.view_routine", user, routine):
        raise Http404
    if perm != "routines.view_routine" and not rules.has_perm(perm, user, routine):
        raise PermissionDenied
    enter_municipality(user, routine.municipality_id)  # None for a shipped routine: no change
    return routine


VIEW_CHECKLIST = "routines.view_checklist"


def get_project_task_for_user(user, pk: int, task_pk: int, perm: str = VIEW_CHECKLIST):
    """A task on the checklist of project `pk`: 404 outside the user's reach, 403 when they
    may see the checklist but lack `perm` on the task."""
    project = get_project_for_user(user, pk, VIEW_CHECKLIST)
    task = get_object_or_404(ProjectTask, pk=task_pk, project=project)
    task.project = project
    if perm != VIEW_CHECKLIST and not rules.has_perm(perm, user, task):
        raise PermissionDenied
    return task
