"""What a map shows, built by the views: `map_spec` gives the page's map component
(`maps/includes/map.html`) its base map, its shapes and, on a form, the fields a marked place
goes into. Every page that shows a map also shows the same facts as text next to it."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

# The colour of each kind of shape, the same on the page (maps/map.js) and in a PDF (`svg`).
KIND_COLOURS = {
    "site": "#1e3a8a",
    "place": "#9a3412",
    "address": "#475569",
    "concern": "#7c2d12",
    "cell": "#1e3a8a",
}


def point(latitude, longitude, *, label: str = "", kind: str = "site") -> dict:
    return {
        "type": "point",
        "lat": float(latitude),
        "lon": float(longitude),
        "label": label,
        "kind": kind,
    }


def circle(latitude, longitude, radius_m: float, *, kind: str = "site") -> dict:
    """A circle of `radius_m` metres (a neighbour list's radius) around a point."""
    return {
        "type": "circle",
        "lat": float(latitude),
        "lon": float(longitude),
        "radius": float(radius_m),
        "label": "",
        "kind": kind,
    }


def map_spec(
    name: str,
    *,
    label: str,
    features: list[dict],
    centre: tuple[float, float] | None = None,
    zoom: int = 16,
    picker: dict | None = None,
    radius: dict | None = None,
    layer: dict | None = None,
    tall: bool = False,
    assets: bool = True,
) -> dict:
    """The map component's context: `name` makes its element ids unique on the page. On a
    page with two maps, the second has `assets=False`: the map's script and styles are
    loaded once."""
    config = {
        "label": label,
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "features": features,
        "colours": KIND_COLOURS,
        "centre": [float(centre[0]), float(centre[1])] if centre else None,
        "zoom": zoom,
        "picker": picker,
        "radius": radius,
        "layer": layer,
        "texts": {
            "map": _("map"),
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
        },
    }
    return {
        "id": f"map-{name}",
        "config_id": f"map-{name}-config",
        "config": config,
        "tall": tall,
        "assets": assets,
    }


def place_picker(
    name: str,
    *,
    latitude_field: str,
    longitude_field: str,
    location_field: str = "",
    nearest_url: str = "",
) -> dict:
    """A map on a form on which a person marks a place: it fills the two hidden fields and,
    with `nearest_url`, says the nearest address (and puts it in `location_field` if empty)."""
    return {
        "latitude": latitude_field,
        "longitude": longitude_field,
        "location": location_field,
        "nearest": nearest_url,
        "status": f"map-{name}-status",
        "rounding_m": settings.CONCERN_POSITION_ROUNDING_M,
        "controls": f"map-{name}-controls",
        "texts": {
            "marked": _("The place is marked on the map."),
            "near": _("The place is marked on the map, near %(address)s."),
            "cleared": _("The mark is removed."),
            "locating": _("Finding your location…"),
            "no_location": _(
                "Your location could not be found. Tap the map where it happened instead."
            ),
        },
    }


def radius_slider(name: str, *, input_id: str, preview_url: str, site: tuple[float, float]) -> dict:
    """A slider under the map that tries another radius around `site`: it moves the circle,
    fills the form's `input_id` and shows what `preview_url` finds (`?radius_m=`)."""
    return {
        "input": input_id,
        "preview": preview_url,
        "site": [float(site[0]), float(site[1])],
        "slider": f"map-{name}-slider",
        "status": f"map-{name}-radius-status",
        "controls": f"map-{name}-radius",
    }


def cluster_layer(url: str, *, form_id: str, shown_id: str = "") -> dict:
    """Clusters loaded from `url` (GeoJSON points with a `count`) for the map's zoom and the
    filters of the form `form_id`, again when either changes; a range input's value is shown
    in the element `shown_id`."""
    return {"url": url, "form": form_id, "shown": shown_id}
