from django.core.management.base import BaseCommand

from naboskap.meetings.services import email_mark_bounced


class Command(BaseCommand):
    help = (
        "Flag an email address that bounced: its invitations to meetings that have not ended "
        "show as bounced to staff, who are asked to send a letter instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--note", default="", help="What the bounce message said.")

    def handle(self, *args, email, note, **options):
        count = email_mark_bounced(email=email, note=note)
        self.stdout.write(f"Flagged {count} invitation(s) to {email} as bounced.")
