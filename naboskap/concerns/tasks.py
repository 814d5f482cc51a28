"""Background work for concerns, run by `manage.py db_worker`.

Emails carry references and links, never what the reporter wrote: the text stays in Naboskap,
where access is controlled and logged.
"""

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from naboskap.concerns.models import Concern, Message
from naboskap.concerns.selectors import overdue_filter
from naboskap.lib.mail import again, send_or_retry
from naboskap.tenancy.models import Role
from naboskap.tenancy.selectors import municipality_url, recipients_by_language


def _send(template: str, context: dict, to: list[str], language: str, retry=None, attempt=0):
    """Send one of the concern emails; with `retry` (see `send_or_retry`), a mail server
    that is briefly away delays it instead of losing it."""
    with translation.override(language):
        subject = render_to_string(f"concerns/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"concerns/email/{template}_body.txt", context)
    message = EmailMessage(subject, body, to=to)
    if retry is None:
        return message.send()
    return send_or_retry(message, retry, attempt)


def _concern(concern_id: int):
    return (
        Concern.objects.select_related("municipality", "project", "category", "assigned_unit")
        .filter(pk=concern_id)
        .first()
    )


@task()
def concern_received(concern_id: int) -> None:
    """A new concern: the reporter's receipt and the assigned unit's notice, in one task
    (one row to queue on the busy path of submitting). If the mail server is away, each is
    tried again later on its own (`send_receipt`, `notify_unit`)."""
    concern = _concern(concern_id)
    if concern is None:
        return
    _send_receipt(concern, attempt=0)
    _notify_unit(concern, attempt=0)


@task()
def send_receipt(concern_id: int, attempt: int = 0) -> None:
    """The reporter's receipt, tried again (nothing if the contact details were erased)."""
    concern = _concern(concern_id)
    if concern is not None:
        _send_receipt(concern, attempt)


def _send_receipt(concern, attempt: int) -> None:
    if not concern.reporter_email:
        return
    context = {
        "concern": concern,
        "follow_up_url": municipality_url(concern.municipality, concern.get_follow_up_url()),
    }
    retry = again(send_receipt, concern.pk)
    _send("receipt", context, [concern.reporter_email], concern.language, retry, attempt)


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
    retry = again(send_message, message_id)
    _send("message", context, [concern.reporter_email], concern.language, retry, attempt)


@task()
def notify_unit(concern_id: int, attempt: int = 0) -> None:
    """Tell the assigned unit's case handlers (and the unit's shared address) of a new case."""
    concern = _concern(concern_id)
    if concern is not None:
        _notify_unit(concern, attempt)


def _notify_unit(concern, attempt: int) -> None:
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
    retry = again(notify_unit, concern.pk)
    for language, recipients in sorted(groups.items()):
        if _send("assigned", context, recipients, language, retry, attempt) is False:
            return  # the retry sends it again


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
    retry = again(notify_reporter_wrote, concern.pk)
    for language, recipients in sorted(groups.items()):
        if _send("reporter_wrote", context, recipients, language, retry, attempt) is False:
            return  # the retry sends it again


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


def overdue_reminders() -> int:
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
        for language, recipients in sorted(groups.items()):
            _send("overdue", context, recipients, language)
        sent += 1
    return sent


@task()
def send_overdue_reminders() -> None:
    overdue_reminders()
