"""The meeting pages' breadcrumb trails (see naboskap.lib.breadcrumbs)."""

from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import Trail, link, project_trail, to


def meetings_trail(project, *more, body=None, meeting=None, series=None) -> Trail:
    """My projects › the project › Councils and bodies › the body (or › Meetings, for a
    meeting of no body) › the series › the meeting › …"""
    if body is None and meeting is not None:
        body = meeting.body
    if body is None and series is not None:
        body = series.body
    if body is not None:
        levels = [link(_("Councils and bodies"), "meetings:body_list", project.pk), to(body)]
    else:
        levels = [link(_("Meetings"), "meetings:meeting_list", project.pk)]
    if series is not None:
        levels.append(to(series, series.title))
    if meeting is not None:
        levels.append(to(meeting, meeting.title))
    return project_trail(project, *levels, *more)
