"""Staff pages of the status reports: the kept reports (the municipality's and a project's),
one report as a page and as a PDF, "make a report now" and the schedule."""

from __future__ import annotations

import datetime

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link, my_projects_trail, project_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.reports import schedules, selectors, services
from naboskap.reports.access import (
    MAKE_MUNICIPALITY,
    MAKE_PROJECT,
    get_report_for_user,
    get_report_project_for_user,
)
from naboskap.reports.documents import STATUS_REPORT
from naboskap.reports.forms import ReportForm, ScheduleForm
from naboskap.reports.models import ReportSchedule
from naboskap.reports.selectors import Scope
from naboskap.tenancy.access import get_staff_municipality, staff_required

PER_PAGE = 50


def _page(request: HttpRequest, reports):
    return Paginator(reports, PER_PAGE).get_page(request.GET.get("side"))


def _schedule(scope: Scope) -> ReportSchedule | None:
    return ReportSchedule.objects.filter(
        municipality=scope.municipality, project=scope.project
    ).first()


def _reports_trail(project, *more) -> list:
    """My projects › (the project ›) Status reports › …"""
    if project is None:
        return my_projects_trail(link(_("Status reports"), "reports:list"), *more)
    reports = link(_("Status reports"), "reports:project_reports", project.pk)
    return project_trail(project, reports, *more)


@staff_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Every kept report the user may read, newest first."""
    municipality = get_staff_municipality(request)
    reports = selectors.readable_reports(request.user, municipality)
    if reports is None:
        raise PermissionDenied
    makes = rules.has_perm(MAKE_MUNICIPALITY, request.user, municipality)
    context = {
        "page": _page(request, reports),
        "can_make": makes,
        "schedule": _schedule(Scope(municipality)) if makes else None,
        "breadcrumbs": my_projects_trail(_("Status reports")),
    }
    return render(request, "reports/report_list.html", context)


@staff_required
def project_reports(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_report_project_for_user(request.user, pk)
    scope = Scope(project.municipality, project)
    context = {
        "project": project,
        "page": _page(request, selectors.scope_reports(scope)),
        "can_make": rules.has_perm(MAKE_PROJECT, request.user, project),
        "schedule": _schedule(scope),
        "breadcrumbs": project_trail(project, _("Status reports")),
    }
    return render(request, "reports/project_reports.html", context)


def _initial_period(scope: Scope) -> dict:
    """From the day after the last report (or the start of this quarter) until today."""
    today = timezone.localdate()
    last = selectors.scope_reports(scope).select_related(None).only("period_end").first()
    start = schedules.latest_boundary("quarterly", today)
    if last is not None and last.period_end < today:
        start = last.period_end + datetime.timedelta(days=1)
    return {"period_start": start, "period_end": today}


def _make(request: HttpRequest, scope: Scope, template_context: dict) -> HttpResponse:
    form = ReportForm(posted(request), initial=_initial_period(scope))
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                municipality=scope.municipality,
                project=scope.project,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                created_by=request.user,
                notify=form.cleaned_data["notify"],
            )
        except services.ReportError as error:
            show_error(request, error, form)
        else:
            if report.is_empty:
                messages.info(
                    request,
                    _("The report was made. Nothing was recorded in this period, and it says so."),
                )
            else:
                messages.success(request, _("The report was made and kept."))
            return redirect(report)
    context = {
        "form": form,
        "breadcrumbs": _reports_trail(scope.project, _("Make a status report")),
        **template_context,
    }
    return render(request, "reports/report_form.html", context, status=form_status(form))


@staff_required
def report_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MAKE_MUNICIPALITY)
    return _make(request, Scope(municipality), {"municipality": municipality, "project": None})


@staff_required
def project_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_report_project_for_user(request.user, pk, MAKE_PROJECT)
    scope = Scope(project.municipality, project)
    return _make(request, scope, {"municipality": project.municipality, "project": project})


def _edit_schedule(request: HttpRequest, scope: Scope, template_context: dict) -> HttpResponse:
    schedule = _schedule(scope)
    form = ScheduleForm(posted(request), instance=schedule or ReportSchedule())
    if request.method == "POST" and form.is_valid():
        try:
            schedule = schedules.schedule_save(
                municipality=scope.municipality,
                project=scope.project,
                frequency=form.cleaned_data["frequency"],
                active=form.cleaned_data["active"],
            )
        except services.ReportError as error:
            show_error(request, error, form)
        else:
            if schedule.active:
                messages.success(
                    request,
                    _("Saved. The next report is made on %(date)s.")
                    % {"date": formats.date_format(schedule.next_run_on, "j. F Y")},
                )
            else:
                messages.success(request, _("Saved. No reports are made on a schedule."))
            if scope.project is not None:
                return redirect("reports:project_reports", pk=scope.project.pk)
            return redirect("reports:list")
    context = {
        "form": form,
        "schedule": schedule,
        "breadcrumbs": _reports_trail(scope.project, _("Report schedule")),
        **template_context,
    }
    return render(request, "reports/schedule_form.html", context, status=form_status(form))


@staff_required
def schedule_edit(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MAKE_MUNICIPALITY)
    context = {"municipality": municipality, "project": None}
    return _edit_schedule(request, Scope(municipality), context)


@staff_required
def project_schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_report_project_for_user(request.user, pk, MAKE_PROJECT)
    context = {"municipality": project.municipality, "project": project}
    return _edit_schedule(request, Scope(project.municipality, project), context)


@staff_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    context = {"report": report, "breadcrumbs": _reports_trail(report.project, report.title)}
    return render(request, "reports/report_detail.html", context)


@staff_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's PDF, rendered once by the worker and stored; until then, the page that
    waits for it (see `documents`)."""
    report = get_report_for_user(request.user, pk)
    return downloads.download(
        request,
        kind=STATUS_REPORT,
        obj=report,
        back_url=report.get_absolute_url(),
        back_label=report.title,
        breadcrumbs=_reports_trail(report.project, to(report, report.title), _("PDF")),
    )
