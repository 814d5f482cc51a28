"""`manage.py create_municipality --number 4601 --name "Bergen kommune" --language nb
--admin-email a@b.no`: a new municipality, its default concern categories, and an invitation
for its first administrator (emailed by the worker; the link is printed too)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from naboskap.tenancy.administration.services import municipality_create
from naboskap.tenancy.models import Language
from naboskap.tenancy.tasks import invitation_url

NORWEGIAN = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def norwegian_slug(name: str) -> str:
    """ "Bærum kommune" → "baerum-kommune" (slugify would drop æ, ø and å)."""
    return slugify(name.translate(NORWEGIAN))


class Command(BaseCommand):
    help = "Create a municipality and invite its first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--number", required=True, help="the four-digit municipality number")
        parser.add_argument("--name", required=True, help='e.g. "Bergen kommune"')
        parser.add_argument(
            "--language", default=Language.BOKMAL, choices=Language.values, help="default: nb"
        )
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="", help="the administrator's name")
        parser.add_argument("--slug", default="", help="default: made from the name")

    def handle(self, *args, **options):
        slug = options["slug"] or norwegian_slug(options["name"])
        try:
            with transaction.atomic():
                municipality, invitation = municipality_create(
                    number=options["number"],
                    name=options["name"],
                    slug=slug,
                    language=options["language"],
                    admin_email=options["admin_email"],
                    admin_name=options["admin_name"],
                )
        except ValidationError as error:
            messages = [
                f"{field}: {message}" if field != "__all__" else message
                for field, items in error.message_dict.items()
                for message in items
            ]
            raise CommandError("; ".join(messages)) from error
        self.stdout.write(
            f"Created {municipality.name} ({municipality.number}, /k/{municipality.slug}/)."
        )
        self.stdout.write(
            f"Invitation for {invitation.email} (valid until "
            f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC), emailed by the worker. The link:"
        )
        self.stdout.write(invitation_url(invitation))
