import io
import secrets
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from naboskap.concerns import services as concern_services
from naboskap.concerns.models import Category
from naboskap.plans import services as plan_services
from naboskap.plans.models import Measure, Participation
from naboskap.projects.models import ContactPoint, Phase, PhaseChange, Project, Update
from naboskap.tenancy.models import Membership, Municipality, Unit

PASSWORD = "correct-horse-battery"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Testvik {n} kommune")
    # Four digits, always (n grows over a whole run); 99xx stays free for fixtures and demo.
    number = factory.Sequence(lambda n: f"{1000 + n % 8000:04d}")
    slug = factory.Sequence(lambda n: f"testvik-{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = Unit.Kind.HEALTH_SOCIAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = "coordinator"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = Project.Kind.NEW_BUILD
    name = factory.Sequence(lambda n: f"Boligprosjekt {n}")
    slug = factory.Sequence(lambda n: f"boligprosjekt-{n}")
    address = "Testveien 1, 9999 Testvik"
    description = "Kommunen planlegger boliger her."
    dwellings_with_tenancy = 8
    responsible_unit = factory.SubFactory(
        UnitFactory, municipality=factory.SelfAttribute("..municipality")
    )
    dialogue_owner = factory.SubFactory(UserFactory)
    visibility = Project.Visibility.PUBLIC
    phase = Phase.PLANNING

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            PhaseChange.objects.create(project=obj, to_phase=obj.phase)


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    project = factory.SubFactory(ProjectFactory)
    function = "Dialogansvarlig"
    phone = "+4799999901"
    email = "kontakt@example.org"


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Nyhet {n}")
    body = "Dette har skjedd i prosjektet."
    published_at = factory.LazyFunction(timezone.now)
    notified_at = factory.LazyFunction(timezone.now)


def make_concern(project, category_code: str = "noise", **fields):
    """A concern submitted through the real operation, as the public form does."""
    concern_services.categories_ensure_defaults(municipality=project.municipality)
    category = Category.objects.get(municipality=project.municipality, code=category_code)
    fields.setdefault("description", "Høy musikk fra hagen etter midnatt.")
    concern, _created = concern_services.concern_submit(
        project=project,
        category=category,
        idempotency_key=secrets.token_urlsafe(16),
        **fields,
    )
    return concern


def make_image(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save_options) -> bytes:
    """A real image made with Pillow (JPEG or PNG, or any format Pillow writes)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save_options)
    return out.getvalue()


def make_photo(concern, name: str = "photo.jpg", data: bytes | None = None):
    """A photo attached through the real operation (checked and re-encoded)."""
    upload = SimpleUploadedFile(name, data or make_image(), content_type="image/jpeg")
    return concern_services.photos_add(concern=concern, files=[upload])[0]


class MeasureFactory(factory.django.DjangoModelFactory):
    """A measure saved directly (no history row); use plans.services for the real operation."""

    class Meta:
        model = "plans.Measure"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Tiltak {n}")
    description = "Kommunen gjør dette."
    owner_unit = factory.SubFactory(
        UnitFactory, municipality=factory.SelfAttribute("..project.municipality")
    )
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


def make_plan(project, *, measures: int, units, overdue_every: int = 5) -> list:
    """Add `measures` measures to the project's plan across `units` units of its municipality
    (a number: made here; or a list of units), each with two participating units; every
    `overdue_every`-th one is overdue. Bulk-created: fast enough for hundreds. Returns the
    units."""
    if isinstance(units, int):
        units = [
            UnitFactory(municipality=project.municipality, name=f"Planenhet {project.pk}-{n}")
            for n in range(units)
        ]
    count = len(units)
    start = Measure.objects.filter(project=project).count()
    today = timezone.localdate()
    rows = Measure.objects.bulk_create(
        Measure(
            project=project,
            title=f"Tiltak nummer {n}",
            owner_unit=units[n % count],
            due_date=today + timedelta(days=-3 if n % overdue_every == 0 else 10 + n % 60),
            status=Measure.Status.IN_PROGRESS if n % 2 else Measure.Status.PLANNED,
            progress=(n * 7) % 100,
        )
        for n in range(start, start + measures)
    )
    parts = list(Participation.Part.values)
    Participation.objects.bulk_create(
        Participation(measure=m, unit=units[(i + k) % count], part=parts[(i + k) % len(parts)])
        for i, m in enumerate(rows, start=start)
        for k in (1, 2)
        if count > 2
    )
    return units


def make_measure(project, *, owner_unit_name: str | None = None, by=None, **fields):
    """A measure created through the real operation (with its first history row); the owner
    is the named unit of the project's municipality, else the project's responsible unit."""
    if owner_unit_name:
        fields["owner_unit"] = Unit.objects.get(
            municipality=project.municipality, name=owner_unit_name
        )
    fields.setdefault("owner_unit", project.responsible_unit)
    fields.setdefault("title", "Fast kontaktperson for naboene")
    fields.setdefault("due_date", timezone.localdate() + timedelta(days=30))
    return plan_services.measure_create(project=project, created_by=by, **fields)
