"""Background work for projects, run by `manage.py db_worker`."""

import contextlib
import logging
import smtplib

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from naboskap.lib.mail import again, send_or_retry
from naboskap.projects.models import Subscription, Update
from naboskap.tenancy.selectors import municipality_url

logger = logging.getLogger(__name__)


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>"}


@task()
def send_subscription_confirmation(subscription_id: int, attempt: int = 0) -> None:
    """Ask a new subscriber to confirm; tried again later if the mail server is away."""
    subscription = (
        Subscription.objects.select_related("project__municipality")
        .filter(pk=subscription_id, confirmed_at__isnull=True)
        .first()
    )
    if subscription is None:
        return
    with translation.override(subscription.language):
        context = {
            "project": subscription.project,
            "confirm_url": municipality_url(
                subscription.project.municipality,
                reverse("portal:subscription_confirm", args=[subscription.token]),
            ),
        }
        subject = render_to_string("projects/email/confirm_subject.txt", context).strip()
        body = render_to_string("projects/email/confirm_body.txt", context)
    message = EmailMessage(subject, body, to=[subscription.email])
    send_or_retry(message, again(send_subscription_confirmation, subscription_id), attempt)


def update_message(update: Update, subscription: Subscription) -> EmailMessage:
    municipality = update.project.municipality
    unsubscribe_url = municipality_url(
        municipality, reverse("portal:unsubscribe", args=[subscription.token])
    )
    with translation.override(subscription.language):
        context = {
            "update": update,
            "project": update.project,
            "project_url": municipality_url(municipality, update.project.get_public_url()),
            "unsubscribe_url": unsubscribe_url,
        }
        subject = render_to_string("projects/email/update_subject.txt", context)
        body = render_to_string("projects/email/update_body.txt", context)
    # One line whatever the title holds: a line break in a header is refused by Django.
    subject = " ".join(subject.split())
    return EmailMessage(
        subject, body, to=[subscription.email], headers=unsubscribe_headers(unsubscribe_url)
    )


@task()
def notify_subscribers(update_id: int, after: int = 0, attempt: int = 0) -> None:
    """Email a published update to every confirmed subscriber, once.

    Subscribers get it in the order they subscribed. When the mail server is away, the task
    is queued again (`send_or_retry`) to carry on after the last subscriber who got it
    (`after`). When sending fails for good before anyone got it, the update is not recorded
    as sent, so saving it again sends it. A subscriber whose address the server refuses for
    good is skipped; the others still get the update.
    """
    update = (
        Update.objects.select_related("project__municipality")
        .filter(pk=update_id, published_at__lte=timezone.now())
        .first()
    )
    if update is None or not update.project.is_public:
        return
    if attempt == 0:
        # Claim the update first, so a second worker or a re-run sends nothing twice. A
        # retry (attempt > 0) carries on under the claim of the run that queued it.
        claimed = Update.objects.filter(pk=update.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return
    subscriptions = update.project.subscriptions.filter(
        confirmed_at__isnull=False, pk__gt=after
    ).order_by("pk")
    done, sent = after, 0
    connection = get_connection()
    with contextlib.suppress(OSError):
        # One connection for every subscriber. If the server is away, the first send finds
        # out again and is tried later.
        connection.open()
    try:
        for subscription in subscriptions.iterator():
            message = update_message(update, subscription)
            message.connection = connection
            retry = again(notify_subscribers, update_id, done)
            try:
                if not send_or_retry(message, retry, attempt):
                    return  # queued again, to carry on from this subscriber
            except smtplib.SMTPRecipientsRefused:
                logger.warning("Update %s not sent to subscription %s", update_id, subscription.pk)
            else:
                sent += 1
            done = subscription.pk
    except Exception:
        if after == 0 and sent == 0:
            # Nobody got it: not recorded as sent.
            Update.objects.filter(pk=update.pk).update(notified_at=None)
        raise
    finally:
        connection.close()
