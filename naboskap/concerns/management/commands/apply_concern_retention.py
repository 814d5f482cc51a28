"""Erase reporters' contact details and delete old concerns, per municipality's policy; erase
the sender's email of suggestions (plans inputs) the same number of days after their answer.

Run it daily (cron or a systemd timer); `--dry-run` shows what it would do.
"""

from django.core.management.base import BaseCommand

from naboskap.concerns import services
from naboskap.plans import services as plans
from naboskap.tenancy.models import Municipality


class Command(BaseCommand):
    help = (
        "Apply the concern retention policy of every municipality, and erase the email of "
        "suggestions answered longer ago than the policy keeps contact details."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; report only.")

    def handle(self, *args, dry_run=False, **options):
        for municipality in Municipality.objects.order_by("name"):
            result = services.retention_apply(municipality=municipality, dry_run=dry_run)
            verb = "would" if dry_run else "did"
            self.stdout.write(
                f"{municipality.name}: {verb} erase contact details of "
                f"{len(result['erased'])} and delete {len(result['deleted'])} concerns"
            )
            for reference in result["erased"]:
                self.stdout.write(f"  erase contact: {reference}")
            for reference in result["deleted"]:
                self.stdout.write(f"  delete: {reference}")
            # Suggestions' emails: the same number of days, counted from the decision.
            days = services.policy_for(municipality).erase_contact_after_days
            inputs = plans.input_retention_apply(
                municipality=municipality, dry_run=dry_run, days=days
            )
            self.stdout.write(
                f"{municipality.name}: {verb} erase the email of {len(inputs)} inputs "
                f"answered more than {days} days ago"
            )
            for reference in inputs:
                self.stdout.write(f"  erase input email: {reference}")
