from django.core.management.base import BaseCommand

from naboskap.meetings.tasks import meeting_reminders


class Command(BaseCommand):
    help = "Remind invitees of meetings that start within two days (each one once). Run hourly."

    def handle(self, *args, **options):
        sent = meeting_reminders()
        self.stdout.write(f"Sent {sent} meeting reminder(s).")
