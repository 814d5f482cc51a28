"""The staff map of concerns: where the concerns a person may handle were marked, by project,
category and period, clustered per square of the national grid so that the map stays fast
with all of a municipality's concerns (one grouped query whatever their number)."""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from naboskap.concerns import selectors
from naboskap.concerns.breadcrumbs import concerns_trail
from naboskap.concerns.forms import ObjectChoiceField, ProjectChoiceField
from naboskap.concerns.models import Category
from naboskap.maps import coordinates, grid
from naboskap.maps.layers import cluster_layer, map_spec, point
from naboskap.projects.selectors import projects_for_user
from naboskap.tenancy.access import get_staff_municipality, staff_required

USE_INBOX = "concerns.use_inbox"
MONTHS_MAX = 24
MONTHS_DEFAULT = 12
# The side of a cluster's square at each zoom level: about 60 screen pixels.
ZOOM_RANGE = (6, 19)


def cell_for_zoom(zoom: int) -> int:
    """Metres per cluster square at a map zoom level (zoom 16: 150 m)."""
    zoom = min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1])
    return int(150 * 2 ** (16 - zoom)) if zoom <= 16 else max(150 // 2 ** (zoom - 16), 25)


class ConcernMapForm(forms.Form):
    project = ProjectChoiceField(label=gettext_lazy("Project"), required=False)
    category = ObjectChoiceField(label=gettext_lazy("Category"), required=False)
    months = forms.IntegerField(
        label=gettext_lazy("Months back"),
        min_value=1,
        max_value=MONTHS_MAX,
        initial=MONTHS_DEFAULT,
        required=False,
        widget=forms.NumberInput(attrs={"type": "range", "step": 1}),
    )
    zoom = forms.IntegerField(
        min_value=ZOOM_RANGE[0], max_value=ZOOM_RANGE[1], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, projects, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].objects = projects
        self.fields["project"].choices = [("", _("All projects")), *self.fields["project"].choices]
        self.fields["project"].widget = forms.Select(choices=self.fields["project"].choices)
        self.fields["category"].objects = categories
        self.fields["category"].choices = [
            ("", _("All categories")),
            *self.fields["category"].choices,
        ]
        self.fields["category"].widget = forms.Select(choices=self.fields["category"].choices)


def _form(request, municipality) -> ConcernMapForm:
    """The filters as asked; the defaults (all of the last twelve months) when none are."""
    projects = list(projects_for_user(request.user, municipality).order_by("name"))
    categories = list(Category.objects.filter(municipality=municipality).order_by("position", "pk"))
    data = request.GET or {"months": str(MONTHS_DEFAULT)}
    return ConcernMapForm(data, projects=projects, categories=categories)


def _clusters(request, municipality, form: ConcernMapForm, zoom: int) -> list[grid.Cell]:
    data = form.cleaned_data
    rows = selectors.concerns_for_user(request.user, municipality).filter(merged_into__isnull=True)
    if data.get("project"):
        rows = rows.filter(project=data["project"])
    if data.get("category"):
        rows = rows.filter(category=data["category"])
    months = data.get("months") or MONTHS_DEFAULT
    since = timezone.now() - datetime.timedelta(days=round(months * 30.44))
    return grid.cells(rows.filter(created_at__gte=since), cell_for_zoom(zoom))


def _described(cell: grid.Cell, sites: list[tuple]) -> dict:
    """A cluster for the table beside the map: its count, and how far and in which direction
    it is from the nearest project's site (`sites`: each project with its site on the grid)."""
    row = {"count": cell.count, "project": None, "metres": None, "bearing": ""}
    at = coordinates.point_to_utm33(cell.latitude, cell.longitude)
    for project, site in sites:
        metres, bearing = grid.direction(site, at)
        if row["project"] is None or metres < row["metres"]:
            row.update(project=project, metres=metres, bearing=bearing)
    return row


@staff_required
def concern_map(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, USE_INBOX)
    form = _form(request, municipality)
    valid = form.is_valid()
    projects = form.fields["project"].objects
    placed = [p for p in projects if p.latitude is not None]
    clusters = _clusters(request, municipality, form, 14) if valid else []
    sites = [(p, coordinates.point_to_utm33(float(p.latitude), float(p.longitude))) for p in placed]
    rows = [_described(cell, sites) for cell in clusters]
    layer_url = reverse("concerns:map_layer")
    spec = map_spec(
        "concerns",
        label=_("Map of the concerns marked on a map"),
        features=[point(p.latitude, p.longitude, label=p.name) for p in placed],
        zoom=14,
        tall=True,
        layer=cluster_layer(layer_url, form_id="concern-map-filter", shown_id="months-shown"),
    )
    context = {
        "form": form,
        "map": spec,
        "rows": rows,
        "total": sum(cell.count for cell in clusters),
        "breadcrumbs": concerns_trail(_("Map")),
    }
    return render(request, "concerns/map.html", context, status=200 if valid else 400)


@require_GET
@staff_required
def concern_map_layer(request: HttpRequest) -> JsonResponse:
    """The clusters as GeoJSON for the map's script: one point per grid square, with its
    count, for the filters and the map's zoom level."""
    municipality = get_staff_municipality(request, USE_INBOX)
    form = _form(request, municipality)
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    clusters = _clusters(request, municipality, form, form.cleaned_data.get("zoom") or 14)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.longitude, c.latitude]},
            "properties": {"count": c.count},
        }
        for c in clusters
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
