"""Staff pages: a project's neighbour list."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from naboskap.lib.breadcrumbs import project_trail
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.maps.layers import circle, map_spec, point, radius_slider
from naboskap.projects.access import get_project_for_user
from naboskap.stakeholders import selectors, services
from naboskap.stakeholders.exports import neighbour_list_csv
from naboskap.stakeholders.forms import (
    AddAddressForm,
    AddressSearchForm,
    RadiusForm,
)
from naboskap.stakeholders.models import NeighbourEntry, NeighbourList
from naboskap.stakeholders.sources import AddressServiceError, address_source
from naboskap.tenancy.access import staff_required

ENTRIES_PER_PAGE = 50
VIEW = "stakeholders.view_neighbour_list"
CHANGE = "stakeholders.change_neighbour_list"


def _neighbour_list(project) -> NeighbourList | None:
    return NeighbourList.objects.filter(project=project).first()


def neighbours_map(project, neighbour_list: NeighbourList | None, can_change: bool) -> dict | None:
    """The site, the list's radius and its addresses on a map; with a slider to try another
    radius for those who may compute the list. None without a site."""
    if project.latitude is None or project.longitude is None:
        return None
    site = (float(project.latitude), float(project.longitude))
    features = []
    if neighbour_list is not None:
        features.append(circle(*site, neighbour_list.radius_m))
        features.extend(
            point(lat, lon, kind="address")
            for lat, lon in selectors.neighbour_points(neighbour_list)
        )
    features.append(point(*site, label=project.name))
    slider = None
    if can_change:
        slider = radius_slider(
            "neighbours",
            input_id="id_radius_m",
            preview_url=reverse("stakeholders:neighbour_preview", args=[project.pk]),
            site=site,
        )
    return map_spec(
        "neighbours",
        label=_("Map of the site and the addresses on the neighbour list"),
        features=features,
        radius=slider,
        zoom=16,
        tall=True,
    )


def _page(request, project, *, radius_form=None, status=200) -> HttpResponse:
    neighbour_list = _neighbour_list(project)
    can_change = rules.has_perm(CHANGE, request.user, project)
    context = {
        "project": project,
        "neighbour_list": neighbour_list,
        "can_change": can_change,
        "has_site": project.latitude is not None and project.longitude is not None,
        "radius_form": radius_form
        or RadiusForm(initial={"radius_m": neighbour_list.radius_m} if neighbour_list else None),
        "breadcrumbs": project_trail(project, _("Neighbour list")),
    }
    context["map"] = neighbours_map(project, neighbour_list, can_change)
    if neighbour_list is not None:
        page = Paginator(selectors.neighbour_entries(neighbour_list), ENTRIES_PER_PAGE)
        context["page"] = page.get_page(request.GET.get("side"))
        context["removed"] = list(selectors.removed_entries(neighbour_list))
        if can_change:
            search = AddressSearchForm(request.GET if "q" in request.GET else None)
            context["search_form"] = search
            if search.is_bound and search.is_valid():
                try:
                    context["results"] = address_source().search(
                        municipality=project.municipality, text=search.cleaned_data["q"]
                    )
                except AddressServiceError as error:
                    search.add_error("q", error)
            context["query"] = urlencode({"q": request.GET["q"]}) if "q" in request.GET else ""
    return render(request, "stakeholders/neighbour_list.html", context, status=status)


@staff_required
def neighbour_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, VIEW)
    return _page(request, project)


@require_POST
@staff_required
def neighbour_compute(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    form = RadiusForm(posted(request))
    if form.is_valid():
        try:
            neighbour_list = services.neighbour_list_compute(
                project=project, radius_m=form.cleaned_data["radius_m"], by=request.user
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            count = selectors.neighbour_entries(neighbour_list).count()
            messages.success(
                request,
                ngettext(
                    "The neighbour list has %(count)s address within %(radius)s m.",
                    "The neighbour list has %(count)s addresses within %(radius)s m.",
                    count,
                )
                % {"count": count, "radius": neighbour_list.radius_m},
            )
            return redirect("stakeholders:neighbour_list", pk=project.pk)
    return _page(request, project, radius_form=form, status=form_status(form))


@require_GET
@staff_required
def neighbour_preview(request: HttpRequest, pk: int) -> JsonResponse:
    """While the radius is dragged: how many addresses it would take in, and where they are
    (`{"count": 41, "text": "…", "points": [[lat, lon], …]}`). Nothing is saved."""
    project = get_project_for_user(request.user, pk, CHANGE)
    form = RadiusForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors["radius_m"])}, status=400)
    radius = form.cleaned_data["radius_m"]
    try:
        count, points = services.neighbour_list_preview(project=project, radius_m=radius)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    text = ngettext(
        "%(count)s address within %(radius)s m. Compute to save the list.",
        "%(count)s addresses within %(radius)s m. Compute to save the list.",
        count,
    ) % {"count": count, "radius": radius}
    return JsonResponse({"count": count, "text": text, "points": points})


def _entry(request, pk: int, entry_pk: int) -> NeighbourEntry:
    project = get_project_for_user(request.user, pk, CHANGE)
    return get_object_or_404(
        NeighbourEntry.objects.select_related("address"),
        pk=entry_pk,
        neighbour_list__project=project,
    )


@require_POST
@staff_required
def neighbour_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    services.neighbour_entry_remove(entry=entry)
    messages.success(
        request, _("%(address)s was removed from the list.") % {"address": entry.address}
    )
    return redirect("stakeholders:neighbour_list", pk=pk)


@require_POST
@staff_required
def neighbour_restore(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    services.neighbour_entry_restore(entry=entry)
    messages.success(request, _("%(address)s is on the list again.") % {"address": entry.address})
    return redirect("stakeholders:neighbour_list", pk=pk)


@require_POST
@staff_required
def neighbour_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    neighbour_list = _neighbour_list(project)
    if neighbour_list is None:
        messages.error(request, _("Compute the neighbour list before you add addresses."))
        return redirect("stakeholders:neighbour_list", pk=pk)
    form = AddAddressForm(posted(request), municipality=project.municipality)
    if not form.is_valid():
        for error in form.errors.get("address", []):
            messages.error(request, error)
        return _page(request, project, status=400)
    entry = services.neighbour_entry_add(
        neighbour_list=neighbour_list, address=form.cleaned_data["address"]
    )
    messages.success(request, _("%(address)s is on the list.") % {"address": entry.address})
    return redirect("stakeholders:neighbour_list", pk=pk)


@staff_required
def neighbour_export(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, VIEW)
    neighbour_list = get_object_or_404(NeighbourList, project=project)
    response = HttpResponse(
        neighbour_list_csv(neighbour_list), content_type="text/csv; charset=utf-8"
    )
    filename = f"naboliste-{slugify(project.slug) or project.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
