"""`manage.py run_job NAME`: run a scheduled job now, recorded like a scheduled run."""

from django.core.management.base import BaseCommand, CommandError

from naboskap.scheduling import jobs, services


class Command(BaseCommand):
    help = "Run one of the scheduled jobs now. Without a name, list the jobs."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")

    def handle(self, *args, name=None, **options):
        if name is None:
            for job in jobs.JOBS:
                schedule = jobs.schedule_of(job) or jobs.OFF
                self.stdout.write(f"{job.name:28} {schedule:16} {job.label}")
            return
        try:
            jobs.by_name(name)
        except KeyError as exc:
            raise CommandError(f"No job {name!r}; `manage.py run_job` lists them") from exc
        job_run = services.run_now(name)
        self.stdout.write(f"{name}: {job_run.get_status_display()} {job_run.counts}")
