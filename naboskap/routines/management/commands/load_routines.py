"""Publish the routines shipped with Naboskap. Running it twice changes nothing."""

from django.core.management.base import BaseCommand

from naboskap.routines import services


class Command(BaseCommand):
    help = "Publish the routine templates shipped with Naboskap (new versions when changed)."

    def handle(self, *args, **options):
        published = services.routines_load_shipped()
        for routine in published:
            self.stdout.write(f"Published {routine}.")
        if not published:
            self.stdout.write("The shipped routines are up to date.")
