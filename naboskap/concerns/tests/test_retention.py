"""Retention: contact details erased after N days, whole concerns after K years."""

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from naboskap.concerns import services
from naboskap.concerns.models import Concern, DeletionLog, Policy
from naboskap.concerns.workflow import Status
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
    assert mail.outbox[-1].to == [world.users["coordinator"].email]
    assert late.reference in mail.outbox[-1].body
