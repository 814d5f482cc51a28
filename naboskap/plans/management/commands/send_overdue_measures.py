"""Email each owner unit the list of its overdue measures. Run it weekly (cron or a timer)."""

from django.core.management.base import BaseCommand

from naboskap.plans.tasks import overdue_measure_reminders, send_overdue_measures


class Command(BaseCommand):
    help = "Email every unit that owns overdue measures the list of them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the work for the task worker (db_worker) instead of sending now",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            send_overdue_measures.enqueue()
            self.stdout.write("Queued the overdue measures reminder.")
            return
        self.stdout.write(f"Sent {overdue_measure_reminders()} overdue measure emails.")
