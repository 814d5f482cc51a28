"""Background work for projects, run by `manage.py db_worker`."""

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from naboskap.outbox import services as outbox
from naboskap.projects.models import Subscription, Update
from naboskap.tenancy.selectors import municipality_url

logger = logging.getLogger(__name__)


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>"}


@task()
def send_subscription_confirmation(subscription_id: int, attempt: int = 0) -> None:
    """Ask a new subscriber to confirm (through the outbox, which tries again while the mail
    server is away). `attempt` is left from before the outbox, for tasks queued then."""
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
        subject = render_to_string("projects/email/confirm_subject.txt", context)
        body = render_to_string("projects/email/confirm_body.txt", context)
    outbox.queue(
        key=f"subscription-confirm:{subscription.pk}",
        to=subscription.email,
        subject=subject,
        body=body,
        kind="subscription",
        municipality=subscription.project.municipality,
    )


def update_email(update: Update, subscription: Subscription) -> outbox.Outgoing:
    """The published update, for one subscriber, in their language, with a link to leave."""
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
    return outbox.Outgoing(
        key=f"news:{update.pk}",
        to=subscription.email,
        subject=subject,
        body=body,
        kind="news",
        municipality=municipality,
        headers=unsubscribe_headers(unsubscribe_url),
    )


@task()
def notify_subscribers(update_id: int, after: int = 0, attempt: int = 0) -> int:
    """Email a published update to every confirmed subscriber, once.

    The update is claimed (`notified_at`) and an email stored in the outbox for every
    subscriber in one transaction: all of them or, on a failure, none and no claim, so that
    the next run does it. The outbox sends them and tries again while the mail server is
    away. A second worker or a re-run finds the claim and stores nothing twice. Returns how
    many emails were stored. (`after` and `attempt` are left from before the outbox.)
    """
    update = (
        Update.objects.select_related("project__municipality")
        .filter(pk=update_id, published_at__lte=timezone.now())
        .first()
    )
    if update is None or not update.project.is_public:
        return 0
    with transaction.atomic():
        claimed = Update.objects.filter(pk=update.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return 0
        subscriptions = update.project.subscriptions.filter(confirmed_at__isnull=False)
        return outbox.queue_all(
            update_email(update, subscription)
            for subscription in subscriptions.order_by("pk").iterator()
        )
