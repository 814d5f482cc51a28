"""`manage.py read_bounces`: read bounce messages and flag the addresses that failed.

A mail server delivers bounces to it through a pipe (one message on standard input, e.g. an
alias `naboskap-bounces: "|/srv/naboskap/bin/read-bounces"`), or it reads a maildir's new
messages and moves them to `cur` (`--maildir /var/mail/naboskap-bounces`).
"""

import mailbox
import sys

from django.core.management.base import BaseCommand

from naboskap.outbox import services


class Command(BaseCommand):
    help = (
        "Flag the addresses a bounce message reports as failed (from standard input or a maildir)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--maildir", help="Read every new message in this maildir.")

    def handle(self, *args, maildir=None, **options):
        if maildir is None:
            self.report(services.bounce_read(sys.stdin.buffer.read()))
            return
        box = mailbox.Maildir(maildir, create=False)
        for key in list(box.iterkeys()):
            message = box[key]
            if message.get_subdir() != "new":
                continue
            self.report(services.bounce_read(message.as_bytes()))
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message

    def report(self, flagged: list[str]) -> None:
        for address in flagged:
            self.stdout.write(f"Flagged {address} as bounced.")
        if not flagged:
            self.stdout.write("No address failed for good in that message.")
