"""Make the status reports whose schedule is due and email politicians a link. Run it daily
(cron or a timer); the worker also runs each schedule at its time on its own."""

from django.core.management.base import BaseCommand

from naboskap.reports.schedules import run_due_report_schedules, schedules_run_due


class Command(BaseCommand):
    help = "Make every scheduled status report that is due and email its politicians a link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the work for the task worker (db_worker) instead of running it now",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            run_due_report_schedules.enqueue()
            self.stdout.write("Queued the due status reports.")
            return
        self.stdout.write(f"Made {schedules_run_due()} scheduled status reports.")
