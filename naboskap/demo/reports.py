"""Demo status reports: a kept quarterly report for each demo project and one for the whole
municipality, and a quarterly schedule for the municipality's report.

The reports cover the last whole quarter and are made through the services, as a
coordinator would make them (the municipality's as if by its schedule). Called once from
`load_demo`; running it again changes nothing.
"""

from django.utils import timezone

from naboskap.reports import schedules, services
from naboskap.reports.models import StatusReport


def load_reports(projects, users) -> None:
    municipality = projects["lindeveien"].municipality
    if StatusReport.objects.filter(municipality=municipality).exists():
        return
    today = timezone.localdate()
    start, end = schedules.period_before("quarterly", schedules.latest_boundary("quarterly", today))
    schedule = schedules.schedule_save(municipality=municipality, frequency="quarterly")
    services.report_create(
        municipality=municipality,
        period_start=start,
        period_end=end,
        schedule=schedule,
        language=municipality.default_language,
    )
    for key in ("lindeveien", "solbakken"):
        services.report_create(
            municipality=municipality,
            project=projects[key],
            period_start=start,
            period_end=end,
            created_by=users["koordinator"],
            language=municipality.default_language,
        )
