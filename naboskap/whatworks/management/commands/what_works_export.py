"""`manage.py what_works_export --municipality fjordvik --out effects.csv`: the anonymised
export of what works (docs/what-works-export.md), the same file an administrator downloads
from /app/hva-virker/eksport.csv.

`--shared` writes every municipality that shares what worked (`Settings.share_across`), for
a study across the deployment such as KS's. Without `--out` the CSV goes to standard output.
The effects are the ones the worker made last (every hour); `manage.py run_job
compute_effects` makes them again first.
"""

from django.core.management.base import BaseCommand, CommandError

from naboskap.tenancy.models import Municipality
from naboskap.whatworks import export


class Command(BaseCommand):
    help = "Write the anonymised export of measures and their observed effects as CSV."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--municipality", help="This municipality (its slug).")
        scope.add_argument(
            "--shared",
            action="store_true",
            help="Every municipality that shares what worked with the others.",
        )
        parser.add_argument("--out", help="The file to write (default: standard output).")

    def handle(self, *args, municipality=None, shared=False, out=None, **options):
        if shared:
            municipality_ids = export.shared_municipality_ids()
        else:
            found = Municipality.objects.filter(slug=municipality).first()
            if found is None:
                raise CommandError(f"No municipality {municipality!r}")
            municipality_ids = [found.pk]
        lines = export.csv_lines(municipality_ids=municipality_ids)
        if not out:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        written = -1  # the header is not a row
        with open(out, "w", encoding="utf-8", newline="") as file:
            for line in lines:
                file.write(line)
                written += 1
        self.stderr.write(f"Wrote {written} rows to {out}.")
