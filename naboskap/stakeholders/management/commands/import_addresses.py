"""`manage.py import_addresses <municipality-slug> <file.csv>`: import an address file.

Streams the file (memory stays bounded), shows progress on stderr, reports each bad row by
line number without stopping, and ends with a summary. Importing the same file again updates
the addresses instead of duplicating them. See docs/address-import.md.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from naboskap.stakeholders.addresses import services
from naboskap.stakeholders.models import AddressImport
from naboskap.tenancy.models import Municipality

BAR = 30


class Progress:
    """A bar on a terminal; on anything else (a log), a line every 10 %."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.shown = -1

    def __call__(self, done: int, total: int, rows: int) -> None:
        share = done / total if total else 1.0
        rate = rows / max(time.monotonic() - self.started, 1e-6)
        if self.tty:
            filled = int(share * BAR)
            self.stream.write(
                f"\r[{'#' * filled}{' ' * (BAR - filled)}] {share:4.0%} {rows:,} rows "
                f"({rate:,.0f}/s)"
            )
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        elif int(share * 10) > self.shown:
            self.shown = int(share * 10)
            self.stream.write(f"{share:4.0%} {rows:,} rows ({rate:,.0f}/s)\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import addresses (Kartverket's CSV layout) into a municipality's register."

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="the municipality's slug, e.g. fjordvik")
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--encoding",
            default="utf-8",
            help="the file's encoding (default utf-8; cp1252 for a file saved by Excel)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check the file, save no addresses"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress on stderr")

    def handle(self, *args, **options):
        with translation.override("en"):
            self.run(options)

    def run(self, options):
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            slugs = ", ".join(Municipality.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(
                f"No municipality with the slug {options['municipality']!r} (there are: {slugs})."
            )
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")

        def on_error(line: int, reason: str) -> None:
            if self.tty_progress:
                self.stderr.write("\r")
            self.stderr.write(f"line {line}: {reason}")

        err = self.stderr._out
        self.tty_progress = err.isatty() and not options["no_progress"]
        progress = None if options["no_progress"] else Progress(err)
        with path.open("rb") as stream:
            record = services.address_import(
                municipality=municipality,
                stream=stream,
                size=path.stat().st_size,
                filename=path.name,
                via=AddressImport.Via.COMMAND,
                encoding=options["encoding"],
                dry_run=options["dry_run"],
                on_error=on_error,
                on_progress=progress,
            )
        if record.outcome == AddressImport.Outcome.FAILED:
            raise CommandError(record.failure)
        seconds = (record.finished_at - record.started_at).total_seconds()
        saved = "would be saved (dry run)" if options["dry_run"] else "saved"
        self.stdout.write(
            f"{municipality.name}: {record.rows:,} rows read in {seconds:.2f} s; "
            f"{record.created:,} new and {record.updated:,} updated addresses {saved}; "
            f"{record.other_municipality:,} rows of other municipalities skipped; "
            f"{record.error_count:,} rows with errors skipped."
        )
