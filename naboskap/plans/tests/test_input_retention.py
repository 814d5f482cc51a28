"""Retention of suggestions' email addresses: erased by the daily retention job the
municipality's number of days after the suggestion's decision, logged, with a dry run."""

from datetime import timedelta
from io import StringIO

from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns.models import Policy
from naboskap.conftest import client_for
from naboskap.plans import services
from naboskap.plans.models import Input

EMAIL = "kari@example.org"


def suggestion(project, key: str, *, decided_days_ago: int | None) -> Input:
    input, _created = services.input_submit_public(
        project=project, idempotency_key=key, text="Mer lys på stien.", contact_email=EMAIL
    )
    if decided_days_ago is not None:
        services.input_decide(input=input, decision="adopted", decision_reason="Vi gjør det.")
        Input.objects.filter(pk=input.pk).update(
            decided_at=timezone.now() - timedelta(days=decided_days_ago)
        )
    input.refresh_from_db()
    return input


def test_a_decision_sets_the_time_of_the_answer_and_undoing_it_clears_it(world):
    input = suggestion(world.project, "ret-key-000001", decided_days_ago=None)
    assert input.decided_at is None
    services.input_decide(input=input, decision="not_adopted", decision_reason="Nei.")
    first = Input.objects.get(pk=input.pk).decided_at
    assert first is not None
    services.input_decide(input=input, decision="adopted", decision_reason="Likevel.")
    assert Input.objects.get(pk=input.pk).decided_at == first  # the first answer counts
    services.input_decide(input=input, decision="under_consideration")
    assert Input.objects.get(pk=input.pk).decided_at is None


def test_the_daily_job_erases_only_what_is_due_and_the_dry_run_nothing(world):
    old = suggestion(world.project, "ret-key-000002", decided_days_ago=91)
    recent = suggestion(world.project, "ret-key-000003", decided_days_ago=89)
    waiting = suggestion(world.project, "ret-key-000004", decided_days_ago=None)
    Input.objects.filter(pk=waiting.pk).update(received_on=timezone.localdate() - timedelta(400))
    elsewhere = suggestion(world.other_project, "ret-key-000005", decided_days_ago=91)
    Policy.objects.create(
        municipality=world.other_municipality, erase_contact_after_days=120, delete_after_years=5
    )

    out = StringIO()
    call_command("apply_concern_retention", "--dry-run", stdout=out)
    assert f"  erase input email: #{old.pk}" in out.getvalue()
    assert "Fjordby kommune: would erase the email of 1 inputs" in out.getvalue()
    assert Input.objects.filter(contact_email=EMAIL).count() == 4

    out = StringIO()
    call_command("apply_concern_retention", stdout=out)
    assert "Fjordby kommune: did erase the email of 1 inputs answered more than 90 days" in (
        out.getvalue()
    )
    erased = Input.objects.get(pk=old.pk)
    assert erased.contact_email == "" and erased.contact_erased_at is not None
    assert erased.text == "Mer lys på stien."  # what was said stays, for the answer
    for kept in (recent, waiting, elsewhere):
        assert Input.objects.get(pk=kept.pk).contact_email == EMAIL
    # The audit log records that it was erased, never the address.
    entry = (
        LogEntry.objects.get_for_object(erased)
        .filter(action=LogEntry.Action.UPDATE)
        .order_by("-pk")
        .first()
    )
    assert "contact_erased_at" in entry.changes_dict
    assert EMAIL not in str(entry.changes) and EMAIL not in entry.object_repr
    # A second run finds nothing more to do.
    out = StringIO()
    call_command("apply_concern_retention", stdout=out)
    assert "Fjordby kommune: did erase the email of 0 inputs" in out.getvalue()


def test_the_municipalitys_setting_for_contact_details_decides(world):
    Policy.objects.create(
        municipality=world.municipality, erase_contact_after_days=5, delete_after_years=5
    )
    week_old = suggestion(world.project, "ret-key-000006", decided_days_ago=7)
    call_command("apply_concern_retention", stdout=StringIO())
    assert Input.objects.get(pk=week_old.pk).contact_email == ""


def test_the_page_says_when_the_email_was_erased(world):
    old = suggestion(world.project, "ret-key-000007", decided_days_ago=100)
    services.input_retention_apply(municipality=world.municipality)
    page = client_for(world.users["coordinator"], language="en").get(
        reverse("inputs:detail", args=[world.project.pk, old.pk])
    )
    assert page.status_code == 200
    assert "Deleted" in page.content.decode() and "by the retention rule" in page.content.decode()
    assert EMAIL not in page.content.decode()


def test_the_settings_page_tells_the_admin_the_rule_covers_suggestions(world):
    page = client_for(world.users["admin"], language="en").get(reverse("concerns:settings"))
    assert page.status_code == 200
    assert "The email address a neighbour leaves with a suggestion is deleted" in (
        page.content.decode()
    )
