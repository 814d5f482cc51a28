"""Background work for projects, run by `manage.py db_worker`."""

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from naboskap.lib.mail import again, send_or_retry
from naboskap.projects.models import Subscription, Update
from naboskap.tenancy.selectors import municipality_url


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


@task()
def notify_subscribers(update_id: int) -> None:
    """Email a published update to every confirmed subscriber, once."""
    update = (
        Update.objects.select_related("project__municipality")
        .filter(pk=update_id, notified_at__isnull=True, published_at__lte=timezone.now())
        .first()
    )
    if update is None or not update.project.is_public:
        return
    # Claim the update first, so a second worker or a retry sends nothing twice.
    claimed = Update.objects.filter(pk=update.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return
    municipality = update.project.municipality
    subscriptions = update.project.subscriptions.filter(confirmed_at__isnull=False)
    messages = []
    for subscription in subscriptions.iterator():
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
            subject = render_to_string("projects/email/update_subject.txt", context).strip()
            body = render_to_string("projects/email/update_body.txt", context)
        messages.append(
            EmailMessage(
                subject,
                body,
                to=[subscription.email],
                headers=unsubscribe_headers(unsubscribe_url),
            )
        )
    if messages:
        get_connection().send_messages(messages)
