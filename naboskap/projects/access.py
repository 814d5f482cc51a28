"""The one way staff views fetch a project: 404 outside the user's reach, 403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.projects.models import Project
from naboskap.tenancy.selectors import enter_municipality


# Roles come from memberships only: `rules.has_perm` rather than `user.has_perm`, so that a
# Django superuser (who passes every `has_perm`) reaches only what their memberships give.
def get_project_for_user(user, pk: int, perm: str = "projects.view_project") -> Project:
    project = Project.objects.select_related("municipality", "responsible_unit").filter(pk=pk)
    project = project.first()
    if project is None or not rules.has_perm("projects.view_project", user, project):
        raise Http404
    if perm != "projects.view_project" and not rules.has_perm(perm, user, project):
        raise PermissionDenied
    enter_municipality(user, project.municipality_id)
    return project
