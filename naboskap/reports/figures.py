"""The figures of a status report: the dashboards' numbers (`insights.metrics`) for the
report's scope and period, arranged by `insights.dashboard` into titled tables and charts.

Nothing is computed here: the report shows exactly what the dashboard shows for the same
period, and keeps it. `collect` returns the plain numbers to freeze in the report's data,
and the charts (accessible SVG from `lib.charts`) for its text, which is frozen too.
"""

from __future__ import annotations

import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from naboskap.insights import dashboard, metrics

# Which dashboard sections go under which heading of the report, in the report's order.
GROUPS = [
    ("concerns", ["concerns", "deadlines"]),
    ("measures", ["measures"]),
    ("risk", ["risk"]),
    ("council", ["council"]),
    ("routines", ["routines"]),
    ("survey", ["survey"]),
]


def group_titles() -> dict[str, str]:
    return {
        "concerns": _("Concerns and deadlines"),
        "measures": _("Measures"),
        "risk": _("Risk picture"),
        "council": _("Council activity"),
        "routines": _("Routine progress"),
        "survey": _("Survey trend"),
    }


def plain(value):
    """`value` as JSON-ready data, lazy translations turned into text now (in the report's
    language, not in whatever language is active when it is stored)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def collect(scope, start: datetime.date, end: datetime.date) -> tuple[dict, dict]:
    """(the figures as plain data, the charts by section key)."""
    numbers = metrics.dashboard(scope.municipality, scope.project, metrics.Period(start, end))
    sections = dashboard.sections(numbers)
    charts = {section.key: section.chart for section in sections}
    by_key = {
        section.key: {
            "key": section.key,
            "title": section.title,
            "header": section.header,
            "rows": section.rows,
            "note": section.note,
        }
        for section in sections
    }
    titles = group_titles()
    groups = [
        {
            "key": key,
            "title": titles[key],
            "sections": [by_key[k] for k in keys if k in by_key],
        }
        for key, keys in GROUPS
    ]
    data = {
        "key_figures": [[label, value] for label, value in dashboard.key_figures(numbers)],
        "groups": groups,
        "concerns_received": numbers.deadlines.received,
        "council_meetings": numbers.council.meetings,
    }
    return plain(data), charts


def has_activity(figures: dict) -> bool:
    """Whether anything was recorded in the period (concerns received, council meetings);
    open measures and the risk picture are a state, not something that happened."""
    return bool(figures.get("concerns_received") or figures.get("council_meetings"))
