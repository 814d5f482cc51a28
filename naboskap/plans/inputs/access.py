"""The one way staff views fetch an input: 404 outside the user's reach, 403 within it.

An input's own text and the sender's email are need-to-know (see plans.rules): the helper
asks for `plans.view_raw_input` unless told otherwise, and logs each opening of the page
(auditlog's access log, as for concerns).
"""

import rules
from auditlog.signals import accessed
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.plans.models import Input
from naboskap.projects.access import get_project_for_user

VIEW_RAW = "plans.view_raw_input"


def get_input_for_user(
    user, project_pk: int, pk: int, perm: str = VIEW_RAW, *, log_access: bool = False
) -> Input:
    """The input of a project the user reaches; `perm` (and always `plans.view_raw_input`)
    is checked on the project. With `log_access`, who opened it and when is recorded."""
    project = get_project_for_user(user, project_pk, "plans.view_plan")
    input = Input.objects.select_related("created_by").filter(pk=pk, project=project).first()
    if input is None:
        raise Http404
    input.project = project  # already loaded, with its municipality
    for needed in {VIEW_RAW, perm}:
        if not rules.has_perm(needed, user, project):
            raise PermissionDenied
    if log_access:
        # Who read which input, and when (GDPR): auditlog's access log. The entry names the
        # input by its reference, never by what was said.
        accessed.send(sender=Input, instance=input)
    return input
