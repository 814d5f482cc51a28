"""What a status report says, gathered once when it is made.

`collect` returns the plain data (kept as the report's frozen `data`) and the charts;
`body_context` is what the report's template gets. Both run inside the report's language.
Nothing here names a person.
"""

from __future__ import annotations

import datetime

from naboskap.reports import figures, selectors
from naboskap.reports.selectors import Scope


def collect(
    scope: Scope,
    start: datetime.date,
    end: datetime.date,
    since: datetime.date,
    today: datetime.date,
) -> tuple[dict, dict]:
    happened = selectors.happenings(scope, since, end)
    numbers, charts = figures.collect(scope, start, end)
    data = {
        "scope": {
            "municipality": scope.municipality.name,
            "project": scope.project.name if scope.project is not None else None,
            # For the sections other apps add by template tag (the trust barometer).
            "municipality_id": scope.municipality.pk,
            "project_id": scope.project.pk if scope.project is not None else None,
        },
        "period": {"start": start, "end": end},
        "since": since,
        "made_on": today,
        "phases": selectors.project_phases(scope, today),
        "milestones": selectors.milestones(scope, today),
        "happened": happened,
        "figures": numbers,
        "empty": happened["total"] == 0 and not figures.has_activity(numbers),
    }
    return data, charts


def body_context(data: dict, charts: dict) -> dict:
    return {"data": data, "charts": charts, "is_project": bool(data["scope"]["project"])}
