"""Background work for concerns, run by `manage.py db_worker`.

Emails carry references and links, never what the reporter wrote: the text stays in Naboskap,
where access is controlled and logged.
"""

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from naboskap.concerns.models import Concern, Message
from naboskap.concerns.selectors import overdue_filter
from naboskap.outbox import services as outbox
from naboskap.scheduling.jobs import Counts
from naboskap.tenancy.models import Role
from naboskap.tenancy.selectors import municipality_url, recipients_by_language


def _queue(
    template: str, context: dict, to: list[str], language: str, *, key: str, municipality=None
) -> None:
    """Store one of the concern emails in the outbox, which sends it (and tries again while
    the mail server is away)."""
    municipality = municipality or context["concern"].municipality
    with translation.override(language):
        subject = render_to_string(f"concerns/email/{template}_subject.txt", context)
        body = render_to_string(f"concerns/email/{template}_body.txt", context)
    outbox.queue(
        key=f"{key}:{language}",
        to=to,
        subject=subject,
        body=body,
        kind=KINDS[template],
        municipality=municipality,
    )


# The outbox's kind of each email (its label on the administrator's page).
KINDS = {
    "receipt": "receipt",
    "message": "answer",
    "assigned": "case_assigned",
    "reporter_wrote": "reporter_wrote",
    "overdue": "overdue_concerns",
}


def _concern(concern_id: int):
    return (
        Concern.objects.select_related("municipality", "project", "category", "assigned_unit")
        .filter(pk=concern_id)
        .first()
    )


# `attempt` in the tasks below is left from before the outbox, for tasks queued then.


@task()
def concern_received(concern_id: int) -> None:
    """A new concern: the reporter's receipt and the assigned unit's notice, in one task
    (one row to queue on the busy path of submitting)."""
    concern = _concern(concern_id)
    if concern is None:
        return
    _send_receipt(concern)
    _notify_unit(concern, key=f"concern-assigned:{concern.pk}:received")


@task()
def send_receipt(concern_id: int, attempt: int = 0) -> None:
    """The reporter's receipt (nothing if the contact details were erased)."""
    concern = _concern(concern_id)
    if concern is not None:
        _send_receipt(concern)


def _send_receipt(concern) -> None:
    if not concern.reporter_email:
        return
    context = {
        "concern": concern,
        "follow_up_url": municipality_url(concern.municipality, concern.get_follow_up_url()),
    }
    key = f"concern-receipt:{concern.pk}"
    _queue("receipt", context, [concern.reporter_email], concern.language, key=key)


@task()
def send_message(message_id: int, attempt: int = 0) -> None:
    """Tell the reporter that the municipality wrote (the text stays in Naboskap)."""
    message = Message.objects.select_related("concern__municipality").filter(pk=message_id).first()
    if message is None or not message.concern.reporter_email:
        return
    concern = message.concern
    context = {
        "concern": concern,
        "follow_up_url": municipality_url(concern.municipality, concern.get_follow_up_url()),
    }
    key = f"concern-message:{message_id}"
    _queue("message", context, [concern.reporter_email], concern.language, key=key)


@task()
def notify_unit(concern_id: int, attempt: int = 0, key: str = "") -> None:
    """Tell the assigned unit's case handlers (and the unit's shared address) of a new case.
    `key` names this assignment (made when it was queued), so a task that runs again sends
    nothing twice."""
    concern = _concern(concern_id)
    if concern is not None:
        _notify_unit(
            concern, key=key or f"concern-assigned:{concern_id}:{concern.assigned_unit_id}"
        )


def _notify_unit(concern, *, key: str) -> None:
    if concern.assigned_unit is None:
        return
    unit = concern.assigned_unit
    handlers = (
        get_user_model()
        .objects.filter(
            memberships__unit=unit,
            memberships__role__in=[Role.CASE_HANDLER, Role.COORDINATOR, Role.FACILITY_STAFF],
            is_active=True,
        )
        .select_related("naboskap_profile")
    )
    # Each handler in their own language; the unit's shared address in the municipality's.
    groups = recipients_by_language(handlers, concern.municipality, [unit.email])
    context = {"concern": concern, "case_url": settings.SITE_URL + concern.get_absolute_url()}
    for language, recipients in sorted(groups.items()):
        _queue("assigned", context, recipients, language, key=f"{key}:assigned")


@task()
def notify_reporter_wrote(concern_id: int, attempt: int = 0) -> None:
    """The reporter replied or asked to reopen: tell the assigned case handler, else the
    assigned unit (its lead, its case handlers and its shared address), each in their own
    language. The reference and a link to the case, never what the reporter wrote. Nothing
    when a handler has opened the case meanwhile (the mark is gone: they have seen it)."""
    concern = _concern(concern_id)
    if concern is None or concern.reporter_wrote_at is None:
        return
    users, addresses = _handlers_to_tell(concern)
    groups = recipients_by_language(users, concern.municipality, addresses)
    context = {"concern": concern, "case_url": settings.SITE_URL + concern.get_absolute_url()}
    key = f"reporter-wrote:{concern.pk}:{concern.reporter_wrote_at.isoformat()}"
    for language, recipients in sorted(groups.items()):
        _queue("reporter_wrote", context, recipients, language, key=key)


def _handlers_to_tell(concern) -> tuple[list, list[str]]:
    """Who to tell (users, and addresses of no user): the assigned case handler, if they
    can still handle the concern; else the assigned unit's lead, its members who handle
    concerns and its shared address; else (no unit, or nobody in it to tell) the project's
    dialogue owner."""
    users = get_user_model().objects.filter(is_active=True).select_related("naboskap_profile")
    handler = concern.assigned_to
    if (
        handler is not None
        and handler.is_active
        and rules.has_perm("concerns.change_concern", handler, concern)
    ):
        return list(users.filter(pk=handler.pk)), []
    unit = concern.assigned_unit
    if unit is not None:
        members = list(
            users.filter(
                Q(pk=unit.lead_id)
                | Q(
                    memberships__unit=unit,
                    memberships__role__in=[
                        Role.CASE_HANDLER,
                        Role.COORDINATOR,
                        Role.FACILITY_STAFF,
                    ],
                )
            ).distinct()
        )
        if members or unit.email:
            return members, [unit.email]
    owner_id = concern.project.dialogue_owner_id if concern.project_id else None
    return (list(users.filter(pk=owner_id)) if owner_id else []), []


def overdue_reminders(counts: Counts | None = None) -> int:
    """Email each unit's lead (and the unit's address) the list of its overdue concerns.

    Returns the number of emails sent. Run daily: `manage.py send_overdue_reminders`.
    """
    overdue = (
        Concern.objects.filter(overdue_filter(), assigned_unit__isnull=False)
        .select_related(
            "assigned_unit__lead__naboskap_profile",
            "assigned_unit__municipality",
            "category",
            "project",
        )
        .order_by("assigned_unit_id", "answer_due", "pk")
    )
    by_unit: dict = {}
    for concern in overdue:
        by_unit.setdefault(concern.assigned_unit, []).append(concern)
    sent = 0
    for unit, concerns in by_unit.items():
        # The lead in their own language, the unit's shared address in the municipality's.
        leads = [unit.lead] if unit.lead else []
        groups = recipients_by_language(leads, unit.municipality, [unit.email])
        if not groups:
            continue
        context = {
            "unit": unit,
            "concerns": concerns,
            "inbox_url": settings.SITE_URL + "/app/meldinger/?overdue=on",
        }
        key = f"overdue-concerns:{unit.pk}:{timezone.localdate().isoformat()}"
        for language, recipients in sorted(groups.items()):
            _queue(
                "overdue", context, recipients, language, key=key, municipality=unit.municipality
            )
            if counts is not None:
                counts.add("emails", unit.municipality_id)
        sent += 1
    return sent


@task()
def send_overdue_reminders() -> None:
    overdue_reminders()
