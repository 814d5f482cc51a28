"""Erase reporters' contact details and delete old concerns, per municipality's policy.

Run it daily (cron or a systemd timer); `--dry-run` shows what it would do.
"""

from django.core.management.base import BaseCommand

from naboskap.concerns import services
from naboskap.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Apply the concern retention policy of every municipality."

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
