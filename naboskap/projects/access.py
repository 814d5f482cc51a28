"""The one way staff views fetch a project: 404 outside the user's reach, 403 within it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.projects.models import Project


def get_project_for_user(user, pk: int, perm: str = "projects.view_project") -> Project:
    project = Project.objects.select_related("municipality", "responsible_unit").filter(pk=pk)
    project = project.first()
    if project is None or not user.has_perm("projects.view_project", project):
        raise Http404
    if perm != "projects.view_project" and not user.has_perm(perm, project):
        raise PermissionDenied
    return project
