from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "naboskap.scheduling"
    verbose_name = _("Scheduled jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from naboskap.lib.metrics import register_gauge
        from naboskap.scheduling import checks  # noqa: F401 (registers the system check)
        from naboskap.scheduling.metrics import job_runs, jobs_late, workers_alive

        register_gauge(
            "naboskap_job_runs",
            "Runs of the scheduled jobs recorded, by job and outcome.",
            ["job", "status"],
            job_runs,
        )
        register_gauge(
            "naboskap_job_late",
            "1 when a scheduled job is late or its last run failed, else 0.",
            ["job"],
            jobs_late,
        )
        register_gauge(
            "naboskap_workers",
            "Background workers that said they are alive in the last 90 seconds.",
            [],
            workers_alive,
        )
