from django.core.management.base import BaseCommand, CommandError

from naboskap.api.services import api_key_create
from naboskap.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Create an Open311 API key for a municipality. The key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="the municipality's slug")
        parser.add_argument("name", help="who uses the key")

    def handle(self, *args, municipality, name, **options):
        found = Municipality.objects.filter(slug=municipality).first()
        if found is None:
            raise CommandError(f"No municipality with the slug {municipality!r}.")
        if not name.strip() or len(name) > 100:
            raise CommandError("Give a name of at most 100 characters.")
        key, raw = api_key_create(municipality=found, name=name.strip())
        self.stderr.write(f"Created API key {key} for {found}. It is shown only this once:")
        self.stdout.write(raw)
