"""A map drawn on the server, as SVG, from the same shapes as the page's map (`layers`): for
PDF documents, which cannot run the map's script. Positions are in web mercator, as the base
map's tiles are, so the tiles (when `MAP_TILE_URL` is set and its server answers) lie under
the shapes exactly; a scale bar in true metres and a north arrow go with it. Without a base
map, or when a tile cannot be fetched, the drawing is the shapes on a plain background."""

from __future__ import annotations

import base64
import logging
import math
import urllib.request

from django.conf import settings
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from naboskap.maps.layers import KIND_COLOURS

logger = logging.getLogger(__name__)
EARTH_RADIUS = 6_378_137.0  # web mercator's sphere
TILE_SIZE = 256
MAX_TILES = 24
TILE_TIMEOUT_S = 3

NICE_LENGTHS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def _n(number: float) -> str:
    return f"{number:.1f}"


def mercator(latitude: float, longitude: float) -> tuple[float, float]:
    x = EARTH_RADIUS * math.radians(longitude)
    y = EARTH_RADIUS * math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))
    return x, y


def _extent(feature: dict, x: float, y: float, stretch: float) -> list[tuple[float, float]]:
    reach = feature.get("radius", 0) * stretch if feature["type"] == "circle" else 0
    return [(x - reach, y - reach), (x + reach, y + reach)]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TILE_TIMEOUT_S) as answer:  # noqa: S310 (the setting's http(s) URL)
        return answer.read()


def base_map(scale: float, to_box, box: tuple[float, float, float, float]) -> SafeString:
    """The base map's tiles under the drawing, as <image> elements; nothing when no tile
    server is set or one tile cannot be fetched (the drawing is then plain)."""
    template = settings.MAP_TILE_URL
    if not template:
        return mark_safe("")
    world = 2 * math.pi * EARTH_RADIUS
    zoom = max(0, min(19, math.ceil(math.log2(world * scale / TILE_SIZE))))
    tiles_across = 2**zoom
    span = world / tiles_across
    left, bottom, right, top = box
    columns = range(int((left + world / 2) // span), int((right + world / 2) // span) + 1)
    rows = range(int((world / 2 - top) // span), int((world / 2 - bottom) // span) + 1)
    if len(columns) * len(rows) > MAX_TILES:
        return mark_safe("")
    images = []
    try:
        for column in columns:
            for row in rows:
                url = template.format(z=zoom, x=column, y=row)
                data = base64.b64encode(_fetch(url)).decode()
                x0, y0 = to_box(column * span - world / 2, world / 2 - row * span)
                images.append((x0, y0, span * scale, data))
    except (OSError, ValueError) as error:  # unreachable, refused, timed out, a bad answer
        logger.warning("The base map could not be fetched for a PDF: %s", error)
        return mark_safe("")
    return format_html_join(
        "",
        '<image x="{}" y="{}" width="{}" height="{}" href="data:image/png;base64,{}"/>',
        ((_n(x), _n(y), _n(size), _n(size), data) for x, y, size, data in images),
    )


def map_svg(
    features: list[dict], *, title: str, width: int = 640, height: int = 420, padding: int = 48
) -> SafeString:
    """An SVG drawing of `features` (points with labels, circles), fitted to the box."""
    if not features:
        return mark_safe("")
    # Web mercator stretches distances by 1/cos(latitude): a circle's radius and the scale
    # bar are drawn in true metres.
    middle = sum(feature["lat"] for feature in features) / len(features)
    stretch = 1 / math.cos(math.radians(middle))
    placed = []
    corners = []
    for feature in features:
        x, y = mercator(feature["lat"], feature["lon"])
        placed.append((feature, x, y))
        corners.extend(_extent(feature, x, y, stretch))
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    span_x, span_y = max(max(xs) - min(xs), 100.0), max(max(ys) - min(ys), 100.0)
    # Names are written to the right of their dots: room for them on that side.
    label_room = 150 if any(feature.get("label") for feature in features) else 0
    scale = min((width - 2 * padding - label_room) / span_x, (height - 2 * padding) / span_y)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_box(x: float, y: float) -> tuple[float, float]:
        return (width - label_room) / 2 + (x - mid_x) * scale, height / 2 - (y - mid_y) * scale

    shapes = []
    for feature, x, y in sorted(placed, key=lambda item: item[0]["type"] != "circle"):
        colour = KIND_COLOURS.get(feature["kind"], KIND_COLOURS["site"])
        cx, cy = to_box(x, y)
        if feature["type"] == "circle":
            shapes.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.06" '
                    'stroke="{}" stroke-width="1.5"/>',
                    _n(cx),
                    _n(cy),
                    _n(feature["radius"] * stretch * scale),
                    colour,
                    colour,
                )
            )
            continue
        shapes.append(
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#ffffff" stroke-width="1.5"/>',
                _n(cx),
                _n(cy),
                6 if feature["kind"] == "site" else 4.5,
                colour,
            )
        )
        if feature.get("label"):
            # A white halo first, then the text on it (PDF renderers differ on paint-order).
            for paint in ('fill="#ffffff" stroke="#ffffff" stroke-width="3"', 'fill="#111827"'):
                shapes.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="11" {}>{}</text>',
                        _n(cx + 8),
                        _n(cy + 4),
                        mark_safe(paint),
                        feature["label"],
                    )
                )
    left = mid_x - (width - label_room) / 2 / scale
    half_h = height / 2 / scale
    tiles = base_map(scale, to_box, (left, mid_y - half_h, left + width / scale, mid_y + half_h))
    credit = (
        format_html(
            '<text x="{}" y="{}" font-size="9" text-anchor="end" fill="#111827">{}</text>',
            width - 8,
            height - 6,
            settings.MAP_TILE_ATTRIBUTION,
        )
        if tiles
        else ""
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-label="{t}" class="map-drawing"><title>{t}</title>'
        '<rect width="{w}" height="{h}" fill="#f3f4f6" stroke="#9ca3af"/>{tiles}{shapes}{bar}'
        "{north}{credit}</svg>",
        w=width,
        h=height,
        t=title,
        tiles=tiles,
        credit=credit,
        shapes=format_html_join("", "{}", ((shape,) for shape in shapes)),
        bar=_scale_bar(scale * stretch, height),
        north=mark_safe(
            f'<text x="{width - 24}" y="28" font-size="14" font-weight="600" '
            'text-anchor="middle" fill="#111827">N</text>'
            f'<path d="M{width - 24} 32 l-5 12 h10 z" fill="#111827"/>'
        ),
    )


def _scale_bar(scale: float, height: int) -> SafeString:
    """A bar of a round number of metres, about a fifth of the drawing wide."""
    target = 120 / scale
    metres = min(NICE_LENGTHS, key=lambda length: abs(math.log(length / target)))
    length = metres * scale
    label = f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"
    return format_html(
        '<path d="M16 {y} h{l}" stroke="#111827" stroke-width="3"/>'
        '<text x="16" y="{ty}" font-size="11" fill="#111827">{label}</text>',
        y=height - 16,
        l=_n(length),
        ty=height - 24,
        label=escape(label),
    )
