"""The one way staff views fetch analyses, events and scales: 404 outside the user's reach,
403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.projects.access import get_project_for_user
from naboskap.risk.models import Analysis, RiskScale, UnwantedEvent
from naboskap.tenancy.selectors import enter_municipality

VIEW = "risk.view_analyses"


def get_analysis_for_user(user, project_pk: int, pk: int, perm: str = VIEW) -> Analysis:
    project = get_project_for_user(user, project_pk, VIEW)
    analysis = (
        Analysis.objects.select_related("scale_version__scale", "approved_by", "previous")
        .filter(pk=pk, project=project)
        .first()
    )
    if analysis is None:
        raise Http404
    analysis.project = project  # already loaded, with its municipality
    if perm != VIEW and not rules.has_perm(perm, user, project):
        raise PermissionDenied
    return analysis


def get_event_for_user(
    user, project_pk: int, analysis_pk: int, pk: int, perm: str = VIEW
) -> UnwantedEvent:
    analysis = get_analysis_for_user(user, project_pk, analysis_pk, perm)
    event = UnwantedEvent.objects.filter(pk=pk, analysis=analysis).first()
    if event is None:
        raise Http404
    event.analysis = analysis
    return event


def get_scale_for_user(user, pk: int, perm: str = "risk.view_scales") -> RiskScale:
    scale = RiskScale.objects.select_related("municipality").filter(pk=pk).first()
    if scale is None or not rules.has_perm("risk.view_scales", user, scale.municipality):
        raise Http404
    if perm != "risk.view_scales" and not rules.has_perm(perm, user, scale.municipality):
        raise PermissionDenied
    enter_municipality(user, scale.municipality_id)
    return scale
