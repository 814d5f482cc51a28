"""The trust barometer where other apps' pages show it, without their importing this app:

- `{% load whatworks_barometer %}{% barometer_figure project %}`: a card among the key
  figures of the staff project page (projects/project_detail.html);
- `{% barometer_report data %}`: a section of a status report (reports/includes/body.html),
  from the readings of the report's months. A report's text is rendered once, when the
  report is made, and kept (ADR 0022): the section says what the barometer said that day,
  and a reading made again later does not change a kept report.
"""

from __future__ import annotations

from datetime import date

import rules
from django import template
from django.urls import reverse

from naboskap.whatworks import barometer
from naboskap.whatworks.models import BAROMETER_PARTS, BarometerReading

register = template.Library()


@register.inclusion_tag("whatworks/includes/barometer_figure.html", takes_context=True)
def barometer_figure(context, project):
    """The latest total and its change from the month before; nothing for someone who may
    not open the project. One query."""
    request = context.get("request")
    if request is None or not rules.has_perm("projects.view_project", request.user, project):
        return {"hidden": True}
    readings = list(BarometerReading.objects.filter(project=project).order_by("-month")[:2])
    latest = readings[0] if readings else None
    change = None
    if len(readings) == 2 and None not in (readings[0].total, readings[1].total):
        change = readings[0].total - readings[1].total
    return {
        "latest": latest,
        "url": reverse("whatworks:barometer", args=[project.pk]),
        "up": change if change and change > 0 else None,
        "down": -change if change and change < 0 else None,
        "same": change == 0,
    }


def _day(value) -> date | None:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


@register.inclusion_tag("whatworks/includes/barometer_report.html")
def barometer_report(data: dict, heading_level: int = 2):
    """A project's readings for each month of the report's period, with the parts of the
    latest; for a municipality's report, each project's latest reading in the period. One
    query."""
    scope, period = data.get("scope") or {}, data.get("period") or {}
    start, end = _day(period.get("start")), _day(period.get("end"))
    context = {"heading_level": heading_level, "shown": False, "parts": barometer.parts()}
    if start is None or end is None:
        return context
    months = {"month__gte": barometer.month_start(start), "month__lte": end}
    if scope.get("project_id"):
        readings = list(
            BarometerReading.objects.filter(project_id=scope["project_id"], **months).order_by(
                "month"
            )
        )
        latest = readings[-1] if readings else None
        context.update(
            shown=True,
            is_project=True,
            rows=[(r, [r.score(key) for key in BAROMETER_PARTS]) for r in readings],
            latest=latest,
            latest_parts=barometer.describe(latest) if latest else [],
        )
    elif scope.get("municipality_id"):
        latest_of = {}
        for reading in (
            BarometerReading.objects.filter(
                project__municipality_id=scope["municipality_id"], **months
            )
            .select_related("project")
            .order_by("project__name", "project_id", "month")
        ):
            latest_of[reading.project_id] = reading
        context.update(
            shown=True,
            is_project=False,
            rows=[(r, [r.score(key) for key in BAROMETER_PARTS]) for r in latest_of.values()],
        )
    return context
