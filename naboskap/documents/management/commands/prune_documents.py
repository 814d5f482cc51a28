"""Delete stored documents whose object is gone and runs past their time, with their files."""

from django.core.management.base import BaseCommand

from naboskap.documents.services import documents_prune


class Command(BaseCommand):
    help = "Delete the stored documents of deleted objects, and runs past their time."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {documents_prune()} stored documents.")
