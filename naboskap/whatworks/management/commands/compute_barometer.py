"""Make the projects' trust barometer readings now, e.g. the last twelve months on a first
run (the worker's nightly job makes only this month's and last month's)."""

from django.core.management.base import BaseCommand, CommandError

from naboskap.whatworks.barometer import update_readings


class Command(BaseCommand):
    help = "Make the trust barometer readings of every project that is not closed (or of some)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=2,
            help="how many calendar months back, this one included (default 2)",
        )
        parser.add_argument(
            "--project", type=int, action="append", dest="projects", help="a project's id"
        )
        parser.add_argument(
            "--again",
            action="store_true",
            help="make again the readings of months that had ended (they are kept otherwise)",
        )

    def handle(self, *args, months=2, projects=None, again=False, **options):
        if not 1 <= months <= 60:
            raise CommandError("--months must be from 1 to 60.")
        made = update_readings(project_ids=projects, months=months, again=again)
        self.stdout.write(f"Made {made} trust barometer readings.")
