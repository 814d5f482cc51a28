"""Background work for the action plan, run by `manage.py db_worker` (or from cron)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from naboskap.outbox import services as outbox
from naboskap.plans.models import Measure, OverdueReminder
from naboskap.plans.selectors import overdue_filter, unit_recipients_by_language
from naboskap.scheduling.jobs import Counts


def _claim(unit, week: date) -> bool:
    """Whether this run may send `unit` its list for `week` (no other run has)."""
    try:
        with transaction.atomic():
            OverdueReminder.objects.create(unit=unit, week=week)
    except IntegrityError:
        return False
    return True


def overdue_measure_reminders(today: date | None = None, counts: Counts | None = None) -> int:
    """Email each owner unit the list of its overdue measures: to the unit's address, else
    its lead, else its members; each person in their own language, the unit's address in the
    municipality's. Once per unit and week: a
    second run in the same week sends nothing.

    Returns the number of emails sent. Run weekly: `manage.py send_overdue_measures`.
    """
    overdue = (
        Measure.objects.filter(overdue_filter())
        .select_related(
            "owner_unit__lead__naboskap_profile",
            "owner_unit__municipality",
            "project",
            "responsible",
        )
        .order_by("owner_unit_id", "due_date", "pk")
    )
    by_unit: dict = {}
    for measure in overdue:
        by_unit.setdefault(measure.owner_unit, []).append(measure)
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    sent = 0
    for unit, measures in by_unit.items():
        groups = unit_recipients_by_language(unit)
        if not groups or not _claim(unit, week):
            continue
        context = {
            "unit": unit,
            "measures": [(m, settings.SITE_URL + m.get_absolute_url()) for m in measures],
            "list_url": settings.SITE_URL + "/app/tiltak/?overdue=on",
        }
        for language, recipients in sorted(groups.items()):
            with translation.override(language):
                subject = render_to_string("plans/email/overdue_subject.txt", context)
                body = render_to_string("plans/email/overdue_body.txt", context)
            outbox.queue(
                key=f"overdue-measures:{unit.pk}:{week.isoformat()}",
                to=recipients,
                subject=subject,
                body=body,
                kind="overdue_measures",
                municipality=unit.municipality,
            )
            if counts is not None:
                counts.add("emails", unit.municipality_id)
        sent += 1
    return sent


@task()
def send_overdue_measures() -> None:
    overdue_measure_reminders()
