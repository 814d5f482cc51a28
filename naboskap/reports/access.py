"""The one way staff views fetch status reports and their scopes: 404 outside the user's
reach, 403 within it (a case handler who sees the project, but not its reports)."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.projects.access import get_project_for_user
from naboskap.reports.models import StatusReport
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import enter_municipality

VIEW_PROJECT = "reports.view_project_reports"
MAKE_PROJECT = "reports.make_project_reports"
VIEW_MUNICIPALITY = "reports.view_municipality_reports"
MAKE_MUNICIPALITY = "reports.make_municipality_reports"


def get_report_project_for_user(user, pk: int, perm: str = VIEW_PROJECT):
    project = get_project_for_user(user, pk)
    if not rules.has_perm(VIEW_PROJECT, user, project):
        raise PermissionDenied
    if perm != VIEW_PROJECT and not rules.has_perm(perm, user, project):
        raise PermissionDenied
    return project


def get_report_for_user(user, pk: int) -> StatusReport:
    report = (
        StatusReport.objects.select_related("municipality", "project__municipality")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    if report.project_id:
        report.project = get_report_project_for_user(user, report.project_id)
        return report
    if not any(m.municipality_id == report.municipality_id for m in memberships_of(user)):
        raise Http404
    if not rules.has_perm(VIEW_MUNICIPALITY, user, report.municipality):
        raise PermissionDenied
    enter_municipality(user, report.municipality_id)
    return report
