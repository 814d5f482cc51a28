"""Background work for concerns, run by `manage.py db_worker`.

Emails carry references and links, never what the reporter wrote: the text stays in Naboskap,
where access is controlled and logged.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from naboskap.lib.mail import again, send_or_retry
from naboskap.tenancy.models import Role
from naboskap.tenancy.selectors import municipality_url


def _send(template: str, context: dict, to: list[str], language: str, retry=None, attempt=0):
    """Send one of the concern emails; with `retry` (see `send_or_retry`), a mail server
    that is briefly away delays it instead of losing it."""
    with translation.override(language):
        subject = render_to_string(f"concerns/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"concerns/email/{template}_body.txt", context)
    message = EmailMessage(subject, body, to=to)
    if retry is None:
        message.send()
    else:
        send_or_retry(message, retry, attempt)


def _concern(concern_id: int):
    from naboskap.concerns.models import Concern

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
    from naboskap.concerns.models import Message

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
    handlers = get_user_model().objects.filter(
        memberships__unit=unit,
        memberships__role__in=[Role.CASE_HANDLER, Role.COORDINATOR, Role.FACILITY_STAFF],
        is_active=True,
    )
    recipients = sorted({u.email for u in handlers if u.email} | ({unit.email} - {""}))
    if not recipients:
        return
    context = {"concern": concern, "case_url": settings.SITE_URL + concern.get_absolute_url()}
    retry = again(notify_unit, concern.pk)
    _send("assigned", context, recipients, concern.municipality.default_language, retry, attempt)


def overdue_reminders() -> int:
    """Email each unit's lead (and the unit's address) the list of its overdue concerns.

    Returns the number of emails sent. Run daily: `manage.py send_overdue_reminders`.
    """
    from naboskap.concerns.models import Concern
    from naboskap.concerns.selectors import overdue_filter

    overdue = (
        Concern.objects.filter(overdue_filter(), assigned_unit__isnull=False)
        .select_related("assigned_unit__lead", "assigned_unit__municipality", "category", "project")
        .order_by("assigned_unit_id", "answer_due", "pk")
    )
    by_unit: dict = {}
    for concern in overdue:
        by_unit.setdefault(concern.assigned_unit, []).append(concern)
    sent = 0
    for unit, concerns in by_unit.items():
        recipients = sorted({unit.email, unit.lead.email if unit.lead else ""} - {""})
        if not recipients:
            continue
        context = {
            "unit": unit,
            "concerns": concerns,
            "inbox_url": settings.SITE_URL + "/app/meldinger/?overdue=on",
        }
        _send("overdue", context, recipients, unit.municipality.default_language)
        sent += 1
    return sent


@task()
def send_overdue_reminders() -> None:
    overdue_reminders()
