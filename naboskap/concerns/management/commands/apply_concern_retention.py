"""Erase reporters' contact details and delete old concerns, per municipality's policy; erase
the sender's email of suggestions (plans inputs) the same number of days after their answer.

The worker runs it every night (the job `concern_retention`); `--dry-run` shows what it
would do.
"""

from django.core.management.base import BaseCommand

from naboskap.concerns.jobs import retention_everywhere


class Command(BaseCommand):
    help = (
        "Apply the concern retention policy of every municipality, and erase the email of "
        "suggestions answered longer ago than the policy keeps contact details."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; report only.")

    def handle(self, *args, dry_run=False, **options):
        verb = "would" if dry_run else "did"
        for municipality, result, inputs, days in retention_everywhere(dry_run=dry_run):
            self.stdout.write(
                f"{municipality.name}: {verb} erase contact details of "
                f"{len(result['erased'])} and delete {len(result['deleted'])} concerns"
            )
            for reference in result["erased"]:
                self.stdout.write(f"  erase contact: {reference}")
            for reference in result["deleted"]:
                self.stdout.write(f"  delete: {reference}")
            self.stdout.write(
                f"{municipality.name}: {verb} erase the email of {len(inputs)} inputs "
                f"answered more than {days} days ago"
            )
            for reference in inputs:
                self.stdout.write(f"  erase input email: {reference}")
