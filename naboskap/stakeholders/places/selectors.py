"""Reads that the place analysis's page and its stored PDF share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from naboskap.maps.layers import circle, map_spec, point
from naboskap.maps.svg import map_svg
from naboskap.stakeholders import selectors
from naboskap.stakeholders.models import NeighbourList, PlaceAnalysis
from naboskap.stakeholders.places import services


def place_features(project, sites: list[services.SiteDistance]) -> list[dict]:
    """The site, the neighbour list's radius and addresses, and the sensitive places: what
    the analysis's map shows (the tables beside it say the same in words)."""
    features = []
    centre = services.site_of(project)
    neighbour_list = NeighbourList.objects.filter(project=project).first()
    if centre is not None and neighbour_list is not None:
        features.append(circle(*centre, neighbour_list.radius_m))
        features.extend(
            point(lat, lon, kind="address")
            for lat, lon in selectors.neighbour_points(neighbour_list)
        )
    features.extend(
        point(row.site.latitude, row.site.longitude, label=row.site.name, kind="place")
        for row in sites
    )
    if centre is not None:
        features.append(point(*centre, label=project.name))
    return features


def analysis_context(project, analysis: PlaceAnalysis | None, *, pdf: bool = False) -> dict:
    context = {
        "project": project,
        "analysis": analysis,
        "has_site": services.site_of(project) is not None,
    }
    if analysis is not None:
        context["sites"] = services.sites_with_distances(analysis, project)
        context["events"] = list(analysis.events.all())
        context["themes"] = list(analysis.themes.all())
        features = place_features(project, context["sites"])
        title = _("Map of the site, the neighbours and the sensitive places")
        if pdf:
            context["map_drawing"] = map_svg(features, title=title)
        elif features:
            context["map"] = map_spec("place", label=title, features=features, tall=True)
    return context
