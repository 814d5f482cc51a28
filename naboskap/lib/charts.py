"""Charts drawn on the server as SVG, for every page (dashboards, survey results, reports).

Each function returns a whole ``<figure>``: the chart title and a sentence with the main
figures in the caption, the SVG (``role="img"`` with a title and description), a legend, and
the same data as a table inside ``<details>``. So a chart works for screen readers, in print,
in a PDF and without JavaScript. When there is nothing to show, the figure says so
(``empty_message``) instead of drawing empty axes.

The SVG has no ``<style>`` element, no ``style=""`` attribute and no script: colours are
presentation attributes (``fill=""``), sizes come from the classes in ``site.css``. That is
what the Content Security Policy (``style-src 'self'``) allows; see
docs/adr/0019-charts-drawn-from-templates.md for why no charting library is used.

The API is small and stable; other apps import it::

    from naboskap.lib.charts import bar_chart, line_chart

    bar_chart(
        title=_("Concerns per month"),
        labels=["2026-01", "2026-02"],
        series=[(_("Noise"), [3, 1]), (_("Waste"), [0, 2])],
        stacked=True,
        empty_message=_("No concerns in this period."),
    )
    line_chart(title=..., labels=[...], series=[(name, [4.1, None, 3.8])], y_min=1, y_max=5)

``series`` is a list of ``(name, values)`` with one value per label; ``None`` is "no value"
(a gap in a line, nothing in a bar). Values are numbers (int, float or Decimal).

Colours that carry a meaning are passed as ``looks``, one per series: ``RISK_LOOKS`` draws
risk levels in the risk matrix's own colours and patterns (risk/includes/matrix_svg.html),
``STATE_LOOKS`` keeps "open" blue, "overdue" red and "done" green. Counts get whole-number
ticks (0, 1, 2 …, never 0.5): the scale is integer whenever every value is a whole number
and ``decimals`` is 0.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

Number = int | float | Decimal
Series = Sequence[tuple[str, Sequence[Number | None]]]

# Colours with at least 3:1 contrast against white (WCAG 1.4.11) and apart from each other
# for the common kinds of colour blindness; the table and the legend name every series too.
PALETTE = (
    "#1f5fa6",  # blue
    "#b35300",  # orange
    "#2e7d32",  # green
    "#7b3f9e",  # purple
    "#a4262c",  # red
    "#00695c",  # teal
    "#6d4c41",  # brown
    "#455a64",  # grey blue
)


@dataclass(frozen=True)
class Look:
    """How one series is drawn: a fill, and a pattern of marks in `ink` over it ("hatch" or
    "dots"), with an outline so that a light fill still stands out from the background."""

    fill: str
    pattern: str = ""
    ink: str = "#4a4a4a"
    outline: str = ""


# The risk matrix's cell colours and patterns (risk/includes/matrix_svg.html, site.css):
# red is hatched, yellow dotted, green plain, each with the matrix's dark outline.
MATRIX_OUTLINE = "#4a4a4a"
RISK_LOOKS = {
    "red": Look("#f6c9c4", "hatch", "#b3261e", MATRIX_OUTLINE),
    "yellow": Look("#fbe9a6", "dots", "#7a5d00", MATRIX_OUTLINE),
    "green": Look("#cde8cf", "", "#4a4a4a", MATRIX_OUTLINE),
    "": Look("#ffffff", "", "#4a4a4a", MATRIX_OUTLINE),  # not scored
}

# States of work: "open" is never green; green is only for what is done.
STATE_LOOKS = {
    "open": Look("#1f5fa6"),  # blue
    "overdue": Look("#a4262c", "hatch", "#ffffff"),  # red, hatched
    "done": Look("#2e7d32"),  # green
    "not_relevant": Look("#6b7780"),  # grey
}

WIDTH = 640
HEIGHT = 300
LEFT = 52
RIGHT = 12
TOP = 14
BOTTOM_FLAT = 34  # room for x labels written level
BOTTOM_TURNED = 84  # room for x labels turned by 40 degrees


def format_value(value: Number | None, *, decimals: int = 0, unit: str = "") -> str:
    """A value as the user reads it: localised, with `decimals` places and the unit."""
    if value is None:
        return "–"
    if decimals == 0 and float(value).is_integer():
        text = number_format(int(value), use_l10n=True, force_grouping=True)
    else:
        text = number_format(round(float(value), decimals), decimals, use_l10n=True)
    return f"{text} {unit}".strip() if unit else text


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    unit: str = "",
    summary: str | None = None,
    stacked: bool = False,
    empty_message: str | None = None,
    label_header: str = "",
    decimals: int = 0,
    looks: Sequence[Look] | None = None,
) -> SafeString:
    """A bar chart: one bar per label, bars side by side per series or `stacked`.

    `summary` is the sentence with the main figures shown under the title; without it one is
    written from the data (total and largest value per series). `looks` gives each series
    its meaningful colour and pattern (`RISK_LOOKS`, `STATE_LOOKS`); by default the palette.
    """
    labels = [str(label) for label in labels]
    rows = _normalise(labels, series)
    if _is_empty(rows):
        return _render_empty(title, empty_message)
    chart_id = _new_id()
    styles = _styles(chart_id, len(rows), looks)
    plot = _Plot(labels)
    plot.integer = _whole(rows, decimals)
    if stacked:
        top = max(
            sum(v or 0 for v in column) for column in zip(*(v for _n, v in rows), strict=True)
        )
    else:
        top = max((v or 0) for _n, values in rows for v in values)
    bottom = min(0, min((v or 0) for _n, values in rows for v in values))
    plot.scale(bottom, top)
    bars = []
    slot = plot.slot
    groups = 1 if stacked else len(rows)
    bar_w = slot * 0.7 / groups
    for i, label in enumerate(labels):
        base = 0.0
        for s, (name, values) in enumerate(rows):
            value = values[i]
            if value is None or value == 0:
                continue
            x = plot.left + slot * i + slot * 0.15 + (0 if stacked else bar_w * s)
            low, high = (base, base + value) if stacked else (min(0, value), max(0, value))
            if stacked:
                base += value
            y1, y2 = plot.y(high), plot.y(low)
            bars.append(
                {
                    "x": _c(x),
                    "y": _c(y1),
                    "w": _c(bar_w),
                    "h": _c(max(y2 - y1, 0.5)),
                    "fill": styles[s]["fill"],
                    "stroke": styles[s]["stroke"],
                    "tip": f"{label}, {name}: {format_value(value, decimals=decimals, unit=unit)}",
                }
            )
    if summary is None:
        summary = _bar_summary(labels, rows, unit=unit, decimals=decimals)
    return _render(
        "charts/bar_chart.html",
        chart_id=chart_id,
        styles=styles,
        title=title,
        summary=summary,
        plot=plot,
        rows=rows,
        labels=labels,
        unit=unit,
        decimals=decimals,
        label_header=label_header,
        shapes={"bars": bars, "patterns": [st for st in styles if st["pattern"]]},
        description=_("Bar chart, %(kind)s. The table below the chart has the same data.")
        % {"kind": _("stacked") if stacked else _("one bar per series")},
    )


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    unit: str = "",
    summary: str | None = None,
    y_min: Number | None = None,
    y_max: Number | None = None,
    empty_message: str | None = None,
    label_header: str = "",
    decimals: int = 1,
) -> SafeString:
    """A line chart for a trend: one line per series; `None` leaves a gap.

    `y_min`/`y_max` fix the scale (e.g. 1 and 5 for a Likert mean); otherwise it is fitted to
    the data. `summary` as in `bar_chart`; the default names first and last value per series.
    """
    labels = [str(label) for label in labels]
    rows = _normalise(labels, series)
    if _is_empty(rows, zero_is_data=True):
        return _render_empty(title, empty_message)
    known = [float(v) for _n, values in rows for v in values if v is not None]
    plot = _Plot(labels)
    plot.integer = _whole(rows, decimals)
    plot.scale(
        float(y_min) if y_min is not None else min(0.0, min(known)),
        float(y_max) if y_max is not None else max(known),
        fixed=y_min is not None and y_max is not None,
    )
    lines = []
    for s, (name, values) in enumerate(rows):
        colour = PALETTE[s % len(PALETTE)]
        segments, current, points = [], [], []
        for i, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x, y = plot.centre(i), plot.y(float(value))
            current.append(f"{_c(x)},{_c(y)}")
            points.append(
                {
                    "x": _c(x),
                    "y": _c(y),
                    "tip": f"{labels[i]}, {name}: "
                    f"{format_value(value, decimals=decimals, unit=unit)}",
                }
            )
        if current:
            segments.append(" ".join(current))
        lines.append(
            {"segments": segments, "points": points, "stroke": colour, "dash": _DASHES[s % 4]}
        )
    if summary is None:
        summary = _line_summary(labels, rows, unit=unit, decimals=decimals)
    return _render(
        "charts/line_chart.html",
        title=title,
        summary=summary,
        plot=plot,
        rows=rows,
        labels=labels,
        unit=unit,
        decimals=decimals,
        label_header=label_header,
        shapes={"lines": lines},
        description=_(
            "Line chart, one line per series from left to right. "
            "The table below the chart has the same data."
        ),
    )


# Lines differ by dash pattern as well as by colour (WCAG 1.4.1).
_DASHES = ("", "6 4", "2 3", "10 3 2 3")


class _Plot:
    """Coordinates of the plot area: x slots per label, y from the value scale."""

    def __init__(self, labels: list[str]):
        self.labels = labels
        longest = max((len(label) for label in labels), default=0)
        inner = WIDTH - LEFT - RIGHT
        self.turned = len(labels) * max(longest, 1) * 6.5 > inner
        self.bottom_margin = BOTTOM_TURNED if self.turned else BOTTOM_FLAT
        self.left = LEFT
        self.top = TOP
        self.width = inner
        self.height = HEIGHT - TOP - self.bottom_margin
        self.slot = inner / max(len(labels), 1)
        self.low, self.high, self.ticks = 0.0, 1.0, []
        # Counts: ticks are whole numbers (0, 1, 2 …), never 0.5.
        self.integer = False

    def scale(self, low: float, high: float, *, fixed: bool = False) -> None:
        low, high = float(low), float(high)
        if fixed:
            step = _nice_step((high - low) / 4 or 1, integer=self.integer)
            self.low, self.high = low, high
            self.ticks = _frange(low, high, step)
        else:
            if high <= low:
                high = low + 1
            step = _nice_step((high - low) / 4, integer=self.integer)
            self.low = math.floor(low / step) * step
            self.high = math.ceil(high / step) * step
            self.ticks = _frange(self.low, self.high, step)
        integer = all(float(t).is_integer() for t in self.ticks)
        self.tick_marks = [
            {
                "y": _c(self.y(t)),
                "text": format_value(t, decimals=0 if integer else 1),
            }
            for t in self.ticks
        ]

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        return self.top + self.height * (1 - (float(value) - self.low) / span)

    def centre(self, i: int) -> float:
        return self.left + self.slot * (i + 0.5)

    @property
    def x_labels(self) -> list[dict]:
        base = self.top + self.height
        return [
            {"x": _c(self.centre(i)), "y": _c(base + (14 if self.turned else 18)), "text": text}
            for i, text in enumerate(self.labels)
        ]

    @property
    def zero_y(self) -> str:
        return _c(self.y(max(self.low, min(0.0, self.high))))

    @property
    def right(self) -> str:
        return _c(self.left + self.width)


def _nice_step(raw: float, *, integer: bool = False) -> float:
    """1, 2 or 5 times a power of ten, at least `raw`; at least 1 for an `integer` scale."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    return max(step, 1.0) if integer or raw >= 0.5 else step


def _whole(rows, decimals: int) -> bool:
    """Whether the values are counts: whole numbers shown without decimals."""
    return decimals == 0 and all(
        float(v).is_integer() for _n, values in rows for v in values if v is not None
    )


def _new_id() -> str:
    return f"chart-{uuid.uuid4().hex[:10]}"


def _styles(chart_id: str, count: int, looks: Sequence[Look] | None) -> list[dict]:
    """Fill, outline and pattern of each series: its look, else the palette's colour."""
    result = []
    for s in range(count):
        look = looks[s] if looks and s < len(looks) else Look(PALETTE[s % len(PALETTE)])
        pattern_id = f"{chart_id}-p{s}" if look.pattern else ""
        result.append(
            {
                "fill": f"url(#{pattern_id})" if pattern_id else look.fill,
                "colour": look.fill,
                "stroke": look.outline or "#ffffff",
                "outline": look.outline,
                "pattern": look.pattern,
                "pattern_id": pattern_id,
                "ink": look.ink,
            }
        )
    return result


def _frange(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [round(low + step * i, 6) for i in range(count + 1)]


def _c(value: float) -> str:
    """A coordinate: always a dot as decimal sign, whatever the language."""
    return f"{value:.1f}"


def _normalise(labels: list[str], series: Series) -> list[tuple[str, list]]:
    rows = []
    for name, values in series:
        values = list(values)[: len(labels)]
        values += [None] * (len(labels) - len(values))
        rows.append((str(name), values))
    return rows


def _is_empty(rows, *, zero_is_data: bool = False) -> bool:
    if not rows:
        return True
    values = [v for _n, vs in rows for v in vs if v is not None]
    if not values:
        return True
    return not zero_is_data and all(v == 0 for v in values)


def _bar_summary(labels, rows, *, unit: str, decimals: int) -> str:
    parts = []
    for name, values in rows:
        known = [(v, label) for v, label in zip(values, labels, strict=True) if v is not None]
        if not known:
            continue
        total = sum(v for v, _label in known)
        top_value, top_label = max(known, key=lambda item: item[0])
        parts.append(
            _("%(name)s: %(total)s in all, most in %(label)s (%(value)s).")
            % {
                "name": name,
                "total": format_value(total, decimals=decimals, unit=unit),
                "label": top_label,
                "value": format_value(top_value, decimals=decimals, unit=unit),
            }
        )
    return " ".join(parts)


def _line_summary(labels, rows, *, unit: str, decimals: int) -> str:
    parts = []
    for name, values in rows:
        known = [(v, label) for v, label in zip(values, labels, strict=True) if v is not None]
        if not known:
            continue
        (first, first_label), (last, last_label) = known[0], known[-1]
        if len(known) == 1:
            parts.append(
                _("%(name)s: %(value)s in %(label)s.")
                % {
                    "name": name,
                    "value": format_value(first, decimals=decimals, unit=unit),
                    "label": first_label,
                }
            )
        else:
            parts.append(
                _("%(name)s: from %(first)s in %(first_label)s to %(last)s in %(last_label)s.")
                % {
                    "name": name,
                    "first": format_value(first, decimals=decimals, unit=unit),
                    "first_label": first_label,
                    "last": format_value(last, decimals=decimals, unit=unit),
                    "last_label": last_label,
                }
            )
    return " ".join(parts)


def _table(labels, rows, *, unit: str, decimals: int) -> list[dict]:
    return [
        {
            "label": label,
            "cells": [format_value(values[i], decimals=decimals, unit=unit) for _n, values in rows],
        }
        for i, label in enumerate(labels)
    ]


def _render(
    template: str,
    *,
    title,
    summary,
    plot,
    rows,
    labels,
    unit,
    decimals,
    chart_id=None,
    styles=None,
    **extra,
):
    styles = styles or _styles("", len(rows), None)
    context = {
        "id": chart_id or _new_id(),
        "title": title,
        "summary": summary,
        "plot": plot,
        "width": WIDTH,
        "height": HEIGHT,
        "legend": [
            {"name": name, "dash": _DASHES[s % 4], **styles[s]} for s, (name, _v) in enumerate(rows)
        ],
        "names": [name for name, _v in rows],
        "table": _table(labels, rows, unit=unit, decimals=decimals),
        **extra,
    }
    return SafeString(render_to_string(template, context))


def _render_empty(title: str, empty_message: str | None) -> SafeString:
    context = {
        "title": title,
        "message": empty_message or _("No data in this period."),
    }
    return SafeString(render_to_string("charts/empty.html", context))
