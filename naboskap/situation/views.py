"""Staff pages of the situation picture with the police, under /app/prosjekter/<pk>/."""

from __future__ import annotations

import rules
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import Crumb, link, project_trail
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.maps import coordinates, grid
from naboskap.maps.layers import map_spec, point
from naboskap.projects.access import get_project_for_user
from naboskap.situation import selectors, services
from naboskap.situation.access import VIEW, get_assessment_for_user, get_version
from naboskap.situation.documents import ASSESSMENT
from naboskap.situation.forms import AssessmentForm, EditForm, PeriodForm, SignForm
from naboskap.situation.models import Assessment, AssessmentVersion, Party
from naboskap.tenancy.access import staff_required

SIGN_PERMS = {
    Party.MUNICIPALITY: "situation.sign_for_municipality",
    Party.POLICE: "situation.sign_for_police",
}


def area_map(project, cells) -> tuple[dict | None, list[dict]]:
    """The concerns for the police per square of the grid, on a map and as rows for the table
    beside it: a count, or "under 5", and where the square is from the site."""
    site = (
        (float(project.latitude), float(project.longitude))
        if project.latitude is not None
        else None
    )
    site_on_grid = coordinates.point_to_utm33(*site) if site else None
    total = sum(cell.count for cell in cells) or 1
    features, rows = [], []
    for cell in cells:
        label = _("under 5") if cell.is_small else str(cell.count)
        (south, west), (north, east) = cell.corners()
        features.append(
            {
                "type": "cell",
                "bounds": [[south, west], [north, east]],
                "share": 0 if cell.is_small else cell.count / total,
                "lat": (south + north) / 2,
                "lon": (west + east) / 2,
                "label": label,
                "kind": "cell",
            }
        )
        where = grid.direction(site_on_grid, cell.centre_on_grid()) if site else None
        rows.append({"count": label, "metres": where and where[0], "bearing": where and where[1]})
    if site is not None and features:
        features.append(point(*site, label=project.name))
    if not features:
        return None, rows
    spec = map_spec(
        "areas",
        label=_("Map of the concerns for the police per area of %(size)s × %(size)s m")
        % {"size": settings.SITUATION_GRID_M},
        features=features,
        zoom=15,
    )
    return spec, rows


def _picture_link(project):
    return link(_("Situation picture"), "situation:picture", project.pk)


def _period(assessment) -> dict:
    return {
        "start": date_format(assessment.period_start, "j. F Y"),
        "end": date_format(assessment.period_end, "j. F Y"),
    }


@staff_required
def picture(request: HttpRequest, pk: int) -> HttpResponse:
    """Incidents around the project by week and category, and the project's assessments."""
    project = get_project_for_user(request.user, pk, VIEW)
    start, end = selectors.default_period()
    form = PeriodForm(request.GET or None, initial={"fra": start, "til": end})
    period = None
    if not form.is_bound:
        period = (start, end)
    elif form.is_valid():
        period = (form.cleaned_data["fra"], form.cleaned_data["til"])
    found, areas, area_rows = None, None, []
    if period is not None:
        found = selectors.picture(project, *period)
        areas, area_rows = area_map(project, selectors.area_counts(project, *period))
    context = {
        "project": project,
        "form": form,
        "picture": found,
        "map": areas,
        "area_rows": area_rows,
        "grid_m": settings.SITUATION_GRID_M,
        "assessments": Assessment.objects.filter(project=project),
        "can_write": rules.has_perm("situation.write_assessment", request.user, project),
        "breadcrumbs": project_trail(project, _("Situation picture")),
    }
    return render(request, "situation/picture.html", context, status=form_status(form))


@staff_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "situation.write_assessment")
    start, end = selectors.default_period()
    form = AssessmentForm(posted(request), initial={"period_start": start, "period_end": end})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                project=project,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                text=form.cleaned_data["text"],
                by=request.user,
            )
        except ValidationError as error:  # an AssessmentError too
            show_error(request, error, form)
        else:
            messages.success(
                request, _("The assessment was saved as version 1. Both parties can now sign it.")
            )
            return redirect(assessment)
    context = {
        "project": project,
        "form": form,
        "breadcrumbs": project_trail(project, _picture_link(project), _("New shared assessment")),
    }
    return render(request, "situation/assessment_form.html", context, status=form_status(form))


def _sign_forms(request, assessment, version) -> list[tuple[str, str, SignForm | None]]:
    """(party, label, form or None) for each party that has not signed the version: a form
    where the user may sign for it now."""
    signed = {s.party for s in version.sign_offs.all()}
    project = assessment.project
    rows = []
    for party, label in Party.choices:
        may = rules.has_perm(SIGN_PERMS[party], request.user, project)
        form = None
        if may and party not in signed:
            form = SignForm(initial={"party": party, "version": version.number})
        if party not in signed:
            rows.append((party, label, form))
    return rows


def _detail_context(request, assessment, version, **extra) -> dict:
    project = assessment.project
    context = {
        "project": project,
        "assessment": assessment,
        "version": version,
        "is_current": version.number == assessment.version,
        "agreed": {s.party for s in version.sign_offs.all()} == set(Party.values),
        "versions": AssessmentVersion.objects.filter(assessment=assessment)
        .select_related("written_by")
        .prefetch_related("sign_offs"),
        "picture": selectors.picture(project, assessment.period_start, assessment.period_end),
        "can_write": rules.has_perm("situation.write_assessment", request.user, project),
        "sign_forms": _sign_forms(request, assessment, version)
        if version.number == assessment.version
        else [],
        "breadcrumbs": project_trail(
            project,
            _picture_link(project),
            _("Shared assessment %(start)s–%(end)s") % _period(assessment),
        ),
    }
    context.update(extra)
    return context


@staff_required
def assessment_detail(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, assessment_pk)
    version = get_version(assessment)
    return render(
        request, "situation/assessment_detail.html", _detail_context(request, assessment, version)
    )


@staff_required
def version_detail(request: HttpRequest, pk: int, assessment_pk: int, number: int) -> HttpResponse:
    """An earlier (or the current) version, with the sign-offs it got."""
    assessment = get_assessment_for_user(request.user, pk, assessment_pk)
    version = get_version(assessment, number)
    return render(
        request, "situation/assessment_detail.html", _detail_context(request, assessment, version)
    )


@staff_required
def assessment_edit(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(
        request.user, pk, assessment_pk, "situation.write_assessment"
    )
    current = get_version(assessment)
    form = EditForm(posted(request), initial={"text": current.text, "based_on": current.number})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.assessment_edit(
                assessment=assessment,
                text=form.cleaned_data["text"],
                based_on=form.cleaned_data["based_on"],
                by=request.user,
            )
        except services.AssessmentError as error:
            # Show the current text, and keep what the user typed, now based on the current
            # version: once they have read it, saving again makes the next version.
            assessment.refresh_from_db(fields=["version"])
            current = get_version(assessment)
            data = request.POST.copy()
            data["based_on"] = str(current.number)
            form = EditForm(data)
            form.is_valid()
            show_error(request, error, form)
        except ValidationError as error:
            show_error(request, error, form)
        else:
            if changed:
                messages.success(
                    request,
                    _("Version %(version)d was saved. It needs both parties' sign-off again.")
                    % {"version": assessment.version},
                )
            else:
                messages.info(request, _("The text was not changed, so no new version was made."))
            return redirect(assessment)
    context = {
        "project": assessment.project,
        "assessment": assessment,
        "current": current,
        "breadcrumbs": project_trail(
            assessment.project,
            _picture_link(assessment.project),
            Crumb("{start}–{end}".format(**_period(assessment)), assessment.get_absolute_url()),
            _("Edit the shared assessment"),
        ),
    }
    context["form"] = form
    context["has_sign_offs"] = current.sign_offs.exists()
    return render(request, "situation/assessment_edit.html", context, status=form_status(form))


@require_POST
@staff_required
def assessment_sign(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, assessment_pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The sign-off could not be read. Nothing was signed."))
        return _sign_refused(request, assessment)
    party = form.cleaned_data["party"]
    if not rules.has_perm(SIGN_PERMS[party], request.user, assessment.project):
        raise PermissionDenied(
            _("Only the municipality's coordinators can sign for the municipality.")
            if party == Party.MUNICIPALITY
            else _("Only the police liaison can sign for the police.")
        )
    try:
        services.assessment_sign(
            assessment=assessment,
            version=form.cleaned_data["version"],
            party=party,
            by=request.user,
        )
    except services.AssessmentError as error:
        show_error(request, error)
        return _sign_refused(request, assessment)
    messages.success(
        request,
        _("You signed version %(version)d for %(party)s.")
        % {"version": form.cleaned_data["version"], "party": Party(party).label.lower()},
    )
    return redirect(assessment)


def _sign_refused(request, assessment) -> HttpResponse:
    """The assessment page again (with the current version), answering 409: nothing signed."""
    assessment.refresh_from_db(fields=["version"])
    version = get_version(assessment)
    context = _detail_context(request, assessment, version)
    return render(request, "situation/assessment_detail.html", context, status=409)


@staff_required
def assessment_pdf(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """The assessment as a PDF/A-2b document: a version (`?versjon=`, else the current one),
    its sign-offs and the picture of its period (counts only). Stored and current, or
    prepared by the worker while the page waits (see `documents`)."""
    assessment = get_assessment_for_user(request.user, pk, assessment_pk)
    number = request.GET.get("versjon", "")
    if number and not number.isdigit():
        raise Http404
    version = get_version(assessment, int(number) if number else None)
    project = assessment.project
    if version.number == assessment.version:
        back_url = assessment.get_absolute_url()
    else:
        back_url = version.get_absolute_url()
    label = _("Shared assessment %(start)s–%(end)s") % _period(assessment)
    return downloads.download(
        request,
        kind=ASSESSMENT,
        obj=version,
        back_url=back_url,
        back_label=label,
        breadcrumbs=project_trail(
            project,
            _picture_link(project),
            Crumb("{start}–{end}".format(**_period(assessment)), back_url),
            _("PDF"),
        ),
    )
