"""A map drawn on the server, as SVG, from the same shapes as the page's map (`layers`): for
PDF documents, which cannot run the map's script. Positions are put on Kartverket's national
grid (EUREF89 UTM 33), so distances on the drawing are true to scale; a scale bar and a north
arrow go with it. Without a base map, the drawing is the shapes on a plain background."""

from __future__ import annotations

import math

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from naboskap.maps import coordinates
from naboskap.maps.layers import KIND_COLOURS

NICE_LENGTHS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def _n(number: float) -> str:
    return f"{number:.1f}"


def _extent(feature: dict, x: float, y: float) -> list[tuple[float, float]]:
    reach = feature.get("radius", 0) if feature["type"] == "circle" else 0
    return [(x - reach, y - reach), (x + reach, y + reach)]


def map_svg(
    features: list[dict], *, title: str, width: int = 640, height: int = 420, padding: int = 48
) -> SafeString:
    """An SVG drawing of `features` (points with labels, circles), fitted to the box."""
    placed = []
    corners = []
    for feature in features:
        x, y = coordinates.point_to_utm33(feature["lat"], feature["lon"])
        placed.append((feature, x, y))
        corners.extend(_extent(feature, x, y))
    if not placed:
        return mark_safe("")
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    span_x, span_y = max(max(xs) - min(xs), 100.0), max(max(ys) - min(ys), 100.0)
    scale = min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_box(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - mid_x) * scale, height / 2 - (y - mid_y) * scale

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
                    _n(feature["radius"] * scale),
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
            shapes.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="#111827" '
                    'stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>',
                    _n(cx + 8),
                    _n(cy + 4),
                    feature["label"],
                )
            )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-label="{t}" class="map-drawing"><title>{t}</title>'
        '<rect width="{w}" height="{h}" fill="#f3f4f6" stroke="#9ca3af"/>{shapes}{bar}{north}'
        "</svg>",
        w=width,
        h=height,
        t=title,
        shapes=format_html_join("", "{}", ((shape,) for shape in shapes)),
        bar=_scale_bar(scale, height),
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
