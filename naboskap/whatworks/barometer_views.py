"""The trust barometer's page: /app/prosjekter/<pk>/tillit/, for everyone who may open the
project (the parts are counts and shares, nothing about a person)."""

from __future__ import annotations

import rules
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import project_trail
from naboskap.lib.charts import line_chart
from naboskap.projects.access import get_project_for_user
from naboskap.tenancy.access import staff_required
from naboskap.whatworks import barometer
from naboskap.whatworks.models import BAROMETER_PARTS, BarometerReading, Settings

HISTORY = 24  # months shown


def month_label(month) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


@staff_required
def barometer_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    readings = list(BarometerReading.objects.filter(project=project).order_by("-month")[:HISTORY])[
        ::-1
    ]
    settings = Settings.for_municipality(project.municipality_id)
    weights = settings.weights
    weight_sum = sum(weights.values())
    labels = {part.key: part.label for part in barometer.parts()}
    latest = readings[-1] if readings else None
    context = {
        "project": project,
        "breadcrumbs": project_trail(project, _("Trust barometer")),
        "latest": latest,
        "latest_parts": barometer.describe(latest) if latest else [],
        "previous": readings[-2] if len(readings) > 1 else None,
        "parts": barometer.parts(),
        "weighting": [
            (labels[key], round(100 * weights[key] / weight_sum) if weight_sum else 0)
            for key in BAROMETER_PARTS
        ],
        "rows": [
            (reading, month_label(reading.month), [reading.score(k) for k in BAROMETER_PARTS])
            for reading in reversed(readings)
        ],
        "chart": line_chart(
            title=_("The total, month by month"),
            labels=[month_label(reading.month) for reading in readings],
            series=[(_("Total"), [reading.total for reading in readings])],
            y_min=0,
            y_max=100,
            decimals=0,
            label_header=_("Month"),
            empty_message=_("No month has a total yet."),
        )
        if readings
        else "",
        "may_change_weights": rules.has_perm(
            "whatworks.change_settings", request.user, project.municipality
        ),
    }
    return render(request, "whatworks/barometer.html", context)
