"""`manage.py archive_export --since 2026-01-01 --out /srv/export`: a one-off export of
everything a municipality archives that became final since a date, as archive packages.

For each municipality (or the one named with --municipality), the registrations are made
where they do not exist yet (the same ones the worker sends; a second run makes none), and
every package is written into OUT/<municipality>/, named by its external key: running it
again writes the same packages again. What the worker has sent or will send is not changed.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from naboskap.archive import packages, services
from naboskap.archive.transports import FolderTransport
from naboskap.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Write archive packages of everything final since a date into a folder."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="A date, YYYY-MM-DD.")
        parser.add_argument("--out", required=True, help="The folder to write into.")
        parser.add_argument("--municipality", help="Only this municipality (its slug).")

    def handle(self, *args, since, out, municipality=None, **options):
        try:
            start = datetime.date.fromisoformat(since)
        except ValueError as error:
            raise CommandError(f"--since: {since!r} is not a date (YYYY-MM-DD)") from error
        municipalities = Municipality.objects.order_by("slug")
        if municipality:
            municipalities = municipalities.filter(slug=municipality)
            if not municipalities.exists():
                raise CommandError(f"No municipality {municipality!r}")
        total = 0
        for found in municipalities:
            archive = services.settings_of(found)
            transport = FolderTransport(Path(out) / found.slug)
            registrations = services.registrations_since(found, start)
            with translation.override(found.default_language):
                for registration in registrations:
                    try:
                        transport.send(packages.build(registration, archive))
                    except packages.CannotBuild as error:
                        self.stderr.write(f"{registration.external_key}: {error}")
                        continue
                    total += 1
            if registrations:
                self.stdout.write(f"{found.slug}: {len(registrations)} packages")
        self.stdout.write(f"Wrote {total} packages into {out}.")
