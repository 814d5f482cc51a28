"""`manage.py mark_bounced ADDRESS`: flag an address by hand, as a bounce message would."""

from django.core.management.base import BaseCommand

from naboskap.outbox import services


class Command(BaseCommand):
    help = (
        "Flag an email address that bounced: nothing more is sent to it for a while, and its "
        "invitations to meetings that have not ended show as bounced to staff, who are asked "
        "to send a letter instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--note", default="", help="What the bounce message said.")

    def handle(self, *args, email, note, **options):
        services.flag_bounced(email, note or "Flagged by hand")
        self.stdout.write(f"Flagged {email} as bounced.")
