import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

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
    import secrets

    from naboskap.concerns import services
    from naboskap.concerns.models import Category

    services.categories_ensure_defaults(municipality=project.municipality)
    category = Category.objects.get(municipality=project.municipality, code=category_code)
    fields.setdefault("description", "Høy musikk fra hagen etter midnatt.")
    concern, _created = services.concern_submit(
        project=project,
        category=category,
        idempotency_key=secrets.token_urlsafe(16),
        **fields,
    )
    return concern


def make_image(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save_options) -> bytes:
    """A real image made with Pillow (JPEG or PNG, or any format Pillow writes)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save_options)
    return out.getvalue()


def make_photo(concern, name: str = "photo.jpg", data: bytes | None = None):
    """A photo attached through the real operation (checked and re-encoded)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from naboskap.concerns import services

    upload = SimpleUploadedFile(name, data or make_image(), content_type="image/jpeg")
    return services.photos_add(concern=concern, files=[upload])[0]
