"""The one way staff views fetch bodies and meetings: 404 outside the user's reach, 403 within."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.meetings.models import Body, Meeting, Series
from naboskap.projects.access import get_project_for_user
from naboskap.projects.models import Project

VIEW = "meetings.view_meetings"
MANAGE = "meetings.manage_meetings"


def get_meetings_project_for_user(user, pk: int, perm: str = VIEW) -> Project:
    project = get_project_for_user(user, pk, VIEW)
    if perm != VIEW and not rules.has_perm(perm, user, project):
        raise PermissionDenied
    return project


def get_body_for_user(user, project_pk: int, pk: int, perm: str = VIEW) -> Body:
    project = get_meetings_project_for_user(user, project_pk, perm)
    body = Body.objects.select_related("secretariat").filter(pk=pk, project=project).first()
    if body is None:
        raise Http404
    body.project = project  # already loaded, with its municipality
    return body


def get_meeting_for_user(user, project_pk: int, pk: int, perm: str = VIEW) -> Meeting:
    project = get_meetings_project_for_user(user, project_pk, perm)
    meeting = Meeting.objects.select_related("body").filter(pk=pk, project=project).first()
    if meeting is None:
        raise Http404
    meeting.project = project
    return meeting


def get_series_for_user(user, project_pk: int, pk: int, perm: str = VIEW) -> Series:
    project = get_meetings_project_for_user(user, project_pk, perm)
    series = Series.objects.select_related("body").filter(pk=pk, project=project).first()
    if series is None:
        raise Http404
    series.project = project
    return series
