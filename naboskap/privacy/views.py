"""The privacy pages under /app/personvern/: the deletion and erasure log, the record of
processing activities (GDPR Art. 30) and the DPIA support document, as pages and as PDF/A
(stored documents, see `documents`)."""

from __future__ import annotations

import rules
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link, my_projects_trail
from naboskap.lib.http import form_status
from naboskap.privacy import processing, selectors
from naboskap.privacy.access import VIEW_DPIA, VIEW_LOGS, VIEW_RECORDS
from naboskap.privacy.documents import DPIA, RECORDS
from naboskap.privacy.forms import LogFilterForm
from naboskap.tenancy.access import get_staff_municipality, staff_required

PER_PAGE = 50


def _privacy_trail(*more) -> list:
    """My projects › Privacy › the current page (and the pages between)."""
    return my_projects_trail(link(_("Privacy"), "privacy:index"), *more)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW_RECORDS)
    context = {
        "municipality": municipality,
        "can_view_dpia": rules.has_perm(VIEW_DPIA, request.user, municipality),
        "breadcrumbs": my_projects_trail(_("Privacy")),
    }
    return render(request, "privacy/index.html", context)


@staff_required
def log(request: HttpRequest) -> HttpResponse:
    """Both logs, newest first, for a range of days."""
    municipality = get_staff_municipality(request, VIEW_LOGS)
    form = LogFilterForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["fra"], form.cleaned_data["til"]
    rows = selectors.privacy_log(municipality, since=since, until=until)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "municipality": municipality,
        "form": form,
        "page": page,
        "entries": selectors.entries(page.object_list),
        "query": query.urlencode(),
        "breadcrumbs": _privacy_trail(_("Deletion and erasure log")),
    }
    return _no_store(render(request, "privacy/log.html", context, status=form_status(form)))


@staff_required
def records(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW_RECORDS)
    context = processing.record_context(municipality)
    context["breadcrumbs"] = _privacy_trail(_("Record of processing activities"))
    return _no_store(render(request, "privacy/records.html", context))


@staff_required
def records_pdf(request: HttpRequest) -> HttpResponse:
    """The record as PDF/A: stored and current, or prepared by the worker while the page
    waits (see `documents`)."""
    municipality = get_staff_municipality(request, VIEW_RECORDS)
    title = _("Record of processing activities")
    return _download(request, RECORDS, municipality, title, "privacy:records")


@staff_required
def dpia(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW_DPIA)
    context = processing.dpia_context(municipality)
    context["breadcrumbs"] = _privacy_trail(_("DPIA support document"))
    return _no_store(render(request, "privacy/dpia.html", context))


@staff_required
def dpia_pdf(request: HttpRequest) -> HttpResponse:
    """The DPIA support document as PDF/A: stored and current, or prepared by the worker
    while the page waits (see `documents`)."""
    municipality = get_staff_municipality(request, VIEW_DPIA)
    return _download(request, DPIA, municipality, _("DPIA support document"), "privacy:dpia")


def _download(request: HttpRequest, kind: str, municipality, title: str, page: str) -> HttpResponse:
    """The stored document (sent `private, no-store`), or the page that waits for it."""
    return downloads.download(
        request,
        kind=kind,
        obj=municipality,
        back_url=reverse(page),
        back_label=title,
        breadcrumbs=_privacy_trail(link(title, page), _("PDF")),
    )
