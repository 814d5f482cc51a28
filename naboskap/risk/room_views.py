"""The room view of a live scoring round, for the projector in the meeting (docs/risk.md):
a page of its own without the staff navigation, with the QR code and the short address in
large type, how many have voted, and per event a histogram of the votes in each dimension.
A presenter steps through the events (`?hendelse=<number>`) or shows them all. htmx polls
the results part every few seconds; the Refresh button reloads the page without JavaScript.
Staff only, like the round's own page."""

from __future__ import annotations

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from naboskap.lib.charts import format_value
from naboskap.risk import selectors
from naboskap.risk.models import Vote
from naboskap.risk.views import VIEW, _get_round, join_url
from naboskap.tenancy.access import staff_required

STEP = "hendelse"
# How often the room view asks for new results, in seconds.
POLL_SECONDS = 3


# The histogram's drawing, in SVG user units; CSS scales it to its column.
WIDTH, HEIGHT, BAR_TOP, BAR_BOTTOM = 320, 170, 28, 140
BAR_FILL, UNKNOWN_FILL, INK = "#1f5fa6", "#6b7780", "#1e2b3c"


def room_qr(url: str, title: str) -> str:
    """The address as a QR code without a fixed size (a viewBox only), so that CSS makes it a
    third of the screen's height or more; an SVG image named by `title`."""
    svg = segno.make(url, error="m").svg_inline(
        omitsize=True, title=title, border=2, svgclass="qr-code room__qr-code"
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def item_summary(item: selectors.ItemResult) -> str:
    """The histogram in words: the median and spread, how many scored, how many did not."""
    if not item.count:
        return _("Nobody scored it; %(unknown)d don't know.") % {"unknown": item.unknown}
    median = item.exact_median
    return _(
        "Median %(median)s, from %(low)d to %(high)d; %(count)d scored, %(unknown)d don't know."
    ) % {
        "median": format_value(median, decimals=0 if median.is_integer() else 1),
        "low": item.low,
        "high": item.high,
        "count": item.count,
        "unknown": item.unknown,
    }


def item_histogram(item: selectors.ItemResult, size: int, ident: str) -> str:
    """The votes on one thing scored as a small SVG histogram: a bar per level and one for
    "don't know" ("?"), each with its count. Drawn here rather than with lib/charts.py: a
    room view polled every few seconds draws dozens of them, and this is a hundred times
    cheaper. Its title and description name it for screen readers; the event's table below
    has the same numbers."""
    bars = [(str(level), item.counts.get(level, 0), BAR_FILL) for level in range(1, size + 1)]
    bars.append(("?", item.unknown, UNKNOWN_FILL))
    highest = max((n for _label, n, _fill in bars), default=0) or 1
    slot = WIDTH / len(bars)
    shapes = []
    for index, (label, count, fill) in enumerate(bars):
        height = (BAR_BOTTOM - BAR_TOP) * count / highest
        x = index * slot + slot * 0.15
        centre = index * slot + slot / 2
        if count:
            shapes.append(
                f'<rect x="{x:.1f}" y="{BAR_BOTTOM - height:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{height:.1f}" fill="{fill}"></rect>'
            )
        shapes.append(
            f'<text x="{centre:.1f}" y="{BAR_BOTTOM - height - 6:.1f}" text-anchor="middle" '
            f'font-size="18" font-weight="600" fill="{INK}">{count}</text>'
            f'<text x="{centre:.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="18" '
            f'fill="{INK}">{label}</text>'
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="room__histogram" '
        'viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"></line>{}</svg>',
        WIDTH,
        HEIGHT,
        ident,
        ident,
        ident,
        item.name,
        ident,
        item_summary(item),
        WIDTH,
        BAR_BOTTOM,
        BAR_BOTTOM,
        INK,
        mark_safe("".join(shapes)),  # numbers and fixed labels only
    )


def _room_context(request: HttpRequest, scoring_round) -> dict:
    scale = selectors.load_scale(scoring_round.analysis.scale_version)
    results = selectors.round_results(scoring_round, scale)
    step = request.GET.get(STEP, "")
    index = None
    if step.isascii() and step.isdigit():
        index = next((i for i, r in enumerate(results) if r.event.number == int(step)), None)
    shown = results if index is None else [results[index]]
    for result in shown:
        shown_items = result.items if result.shown else []
        result.charts = [
            (
                item,
                item_histogram(item, scale.size, f"hist-{result.event.pk}-{item.key}"),
                [item.counts.get(level, 0) for level in range(1, scale.size + 1)],
            )
            for item in shown_items
        ]
    args = [scoring_round.analysis.project_id, scoring_round.analysis_id, scoring_round.pk]
    query = f"?{urlencode({STEP: results[index].event.number})}" if index is not None else ""
    return {
        "project": scoring_round.analysis.project,
        "analysis": scoring_round.analysis,
        "round": scoring_round,
        "results": shown,
        "total": len(results),
        "position": None if index is None else index + 1,
        "previous": results[index - 1].event if index else None,
        "next": results[index + 1].event
        if index is not None and index + 1 < len(results)
        else None,
        "first": results[0].event if results else None,
        "voters": Vote.objects.filter(round=scoring_round).values("device").distinct().count(),
        "min_votes": selectors.MIN_VOTES,
        "poll_seconds": POLL_SECONDS,
        "levels": range(1, scale.size + 1),
        "room_url": reverse("risk:round_room", args=args) + query,
        "fragment_url": reverse("risk:round_room_results", args=args) + query,
    }


@staff_required
def round_room(request: HttpRequest, pk: int, analysis_pk: int, round_pk: int) -> HttpResponse:
    """The room view: the whole screen for the projector."""
    scoring_round = _get_round(request, pk, analysis_pk, round_pk, VIEW)
    context = _room_context(request, scoring_round)
    url = join_url(request, scoring_round)
    context["join_url"] = url
    context["short_url"] = url.split("://", 1)[-1]
    context["qr"] = room_qr(
        url, _("QR code for scoring round %(code)s") % {"code": scoring_round.code}
    )
    return render(request, "risk/round_room.html", context)


@staff_required
def round_room_results(
    request: HttpRequest, pk: int, analysis_pk: int, round_pk: int
) -> HttpResponse:
    """The part of the room view that htmx polls: the count and the histograms."""
    scoring_round = _get_round(request, pk, analysis_pk, round_pk, VIEW)
    context = _room_context(request, scoring_round)
    if not request.htmx:
        return redirect(context["room_url"])
    return render(request, "risk/includes/room_results.html", context)
