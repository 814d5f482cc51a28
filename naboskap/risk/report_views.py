"""The ROS report of an analysis, for everyone who reads the analysis: as a page, as a
PDF/A-2b document (WeasyPrint, in the reader's language, rendered by the worker and stored:
see `documents`), and its events as XLSX and CSV."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link
from naboskap.lib.spreadsheets import CSV_TYPE, XLSX_TYPE
from naboskap.risk import exports, report
from naboskap.risk.access import get_analysis_for_user
from naboskap.risk.breadcrumbs import risk_trail
from naboskap.risk.documents import REPORT
from naboskap.tenancy.access import staff_required


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(analysis, what: str, extension: str) -> str:
    return f"ros-{what}-{analysis.project.slug}-revisjon-{analysis.revision}.{extension}"


@staff_required
def report_page(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk)
    context = report.report_context(analysis)
    context["today"] = timezone.localdate()
    context["breadcrumbs"] = risk_trail(analysis.project, _("Report"), analysis=analysis)
    return render(request, "risk/report.html", context)


@staff_required
def report_pdf(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    """The stored PDF when it is current; else the page that waits for the worker."""
    analysis = get_analysis_for_user(request.user, pk, analysis_pk)
    return downloads.download(
        request,
        kind=REPORT,
        obj=analysis,
        back_url=reverse("risk:report", args=[pk, analysis_pk]),
        back_label=_("Report"),
        breadcrumbs=risk_trail(
            analysis.project,
            link(_("Report"), "risk:report", pk, analysis_pk),
            _("PDF"),
            analysis=analysis,
        ),
    )


@staff_required
def events_xlsx(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk)
    scale, risks = report.events_data(analysis)
    content = exports.events_workbook(analysis, scale, risks)
    return _download(content, XLSX_TYPE, _filename(analysis, "hendelser", "xlsx"))


@staff_required
def events_csv(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk)
    scale, risks = report.events_data(analysis)
    content = exports.events_csv(scale, risks)
    return _download(content, CSV_TYPE, _filename(analysis, "hendelser", "csv"))
