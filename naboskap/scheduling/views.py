"""The administrator's view of the scheduled jobs (`/app/administrasjon/drift/`)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import my_projects_trail
from naboskap.scheduling import jobs, services
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.administration.access import MANAGE


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every job: when it runs, its last run and what it did in this municipality, and a
    warning when it is late or failed; and the background workers that are running."""
    municipality = get_staff_municipality(request, MANAGE)
    rows = []
    for state in services.states():
        done = state.counts_for(municipality.pk)
        rows.append(
            {
                "state": state,
                "did": [jobs.WHAT[what] % {"count": n} for what, n in done.items() if n],
            }
        )
    context = {
        "municipality": municipality,
        "breadcrumbs": my_projects_trail(_("Scheduled jobs")),
        "rows": rows,
        "warnings": sum(row["state"].warning for row in rows),
        "workers": services.workers_alive(),
    }
    return render(request, "scheduling/overview.html", context)
