"""Retention: contact details erased after N days, whole concerns after K years."""

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from naboskap.concerns import services
from naboskap.concerns.models import Concern, DeletionLog, Policy
from naboskap.concerns.workflow import Status
from naboskap.conftest import send_outbox
from naboskap.testing.factories import make_concern


def closed(world, days_ago: int, **fields) -> Concern:
    concern = make_concern(world.project, reporter_email="kari@example.org", **fields)
    Concern.objects.filter(pk=concern.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=days_ago)
    )
    concern.refresh_from_db()
    return concern


def test_dry_run_changes_nothing_and_the_command_applies_the_policy(world):
    recent = closed(world, 10)
    old = closed(world, 100)
    ancient = closed(world, 6 * 365)
    still_open = make_concern(world.project, reporter_email="ola@example.org")
    out = StringIO()
    call_command("apply_concern_retention", "--dry-run", stdout=out)
    assert f"erase contact: {old.reference}" in out.getvalue()
    assert f"delete: {ancient.reference}" in out.getvalue()
    assert Concern.objects.count() == 4
    assert Concern.objects.get(pk=old.pk).reporter_email == "kari@example.org"

    call_command("apply_concern_retention", stdout=StringIO())
    assert Concern.objects.get(pk=recent.pk).reporter_email == "kari@example.org"
    erased = Concern.objects.get(pk=old.pk)
    assert erased.reporter_email == "" and erased.contact_erased_at is not None
    assert erased.description  # the text is kept for statistics
    assert not Concern.objects.filter(pk=ancient.pk).exists()
    assert list(DeletionLog.objects.values_list("reference", flat=True)) == [ancient.reference]
    assert Concern.objects.get(pk=still_open.pk).reporter_email == "ola@example.org"


def test_the_municipalitys_policy_decides(world):
    Policy.objects.create(
        municipality=world.municipality, erase_contact_after_days=5, delete_after_years=1
    )
    week_old = closed(world, 7)
    year_old = closed(world, 400)
    result = services.retention_apply(municipality=world.municipality)
    assert result == {"erased": [week_old.reference], "deleted": [year_old.reference]}


def test_overdue_reminders_go_to_the_units_lead(world):
    unit = world.project.responsible_unit
    unit.lead = world.users["coordinator"]
    unit.save()
    late = make_concern(world.project)
    Concern.objects.filter(pk=late.pk).update(answer_due=timezone.localdate() - timedelta(days=2))
    make_concern(world.project)  # not overdue
    out = StringIO()
    call_command("send_overdue_reminders", stdout=out)
    assert "Sent 1" in out.getvalue()
    send_outbox()
    assert mail.outbox[-1].to == [world.users["coordinator"].email]
    assert late.reference in mail.outbox[-1].body


def photo_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_retention_deletes_photos_with_the_contact_details(
    world, settings, django_capture_on_commit_callbacks
):
    from naboskap.concerns.models import Photo
    from naboskap.testing.factories import make_photo

    recent = closed(world, 10)
    old = closed(world, 100)
    anonymous = make_concern(world.project)  # no contact details, but a photo
    ancient = closed(world, 6 * 365)
    kept, erased, anonymous_photo, deleted = (
        make_photo(recent),
        make_photo(old),
        make_photo(anonymous),
        make_photo(ancient),
    )
    Concern.objects.filter(pk=anonymous.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=100)
    )
    assert len(photo_files(settings)) == 4
    dry = services.retention_apply(municipality=world.municipality, dry_run=True)
    assert dry == {"erased": [old.reference, anonymous.reference], "deleted": [ancient.reference]}
    assert Photo.objects.count() == 4 and len(photo_files(settings)) == 4

    with django_capture_on_commit_callbacks(execute=True):
        services.retention_apply(municipality=world.municipality)
    assert list(Photo.objects.all()) == [kept]
    assert photo_files(settings) == [settings.PRIVATE_MEDIA_ROOT / kept.image.name]
    for gone in (erased, anonymous_photo, deleted):
        assert not (settings.PRIVATE_MEDIA_ROOT / gone.image.name).exists()
    assert Concern.objects.get(pk=anonymous.pk).description  # the text stays
    # Nothing left to do the next time.
    again = services.retention_apply(municipality=world.municipality, dry_run=True)
    assert again == {"erased": [], "deleted": []}


def test_the_reporters_own_erase_keeps_the_photos(world, settings):
    from naboskap.testing.factories import make_photo

    concern = make_concern(world.project, reporter_email="kari@example.org")
    photo = make_photo(concern)
    services.contact_erase(concern=concern)
    assert list(concern.photos.all()) == [photo]
    assert (settings.PRIVATE_MEDIA_ROOT / photo.image.name).exists()
