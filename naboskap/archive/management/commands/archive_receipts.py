"""`manage.py archive_receipts`: read the archive's receipts waiting in
ARCHIVE_RECEIPTS_FOLDER/<municipality>/, and the answers waiting in Naboskap's Fiks IO queue
when Fiks IO is set up, now (the worker does it every ten minutes)."""

from django.core.management.base import BaseCommand

from naboskap.archive import fiks_io_receipts, receipts
from naboskap.archive.models import Settings


class Command(BaseCommand):
    help = "Record the archive's receipts from the receipts folder of each municipality."

    def handle(self, *args, **options):
        for archive in Settings.objects.filter(enabled=True).select_related("municipality"):
            named = receipts.import_folder(archive.municipality)
            self.stdout.write(f"{archive.municipality.slug}: {named} registrations answered")
        read = fiks_io_receipts.receive()
        self.stdout.write(f"Fiks IO: {read} messages read")
