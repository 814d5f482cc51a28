"""Email each unit's lead the list of its overdue concerns. Run it daily (cron or a timer)."""

from django.core.management.base import BaseCommand

from naboskap.concerns.tasks import overdue_reminders


class Command(BaseCommand):
    help = "Email every unit with overdue concerns the list of them."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {overdue_reminders()} reminder emails.")
