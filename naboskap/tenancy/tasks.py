"""Background work for tenancy, run by `manage.py db_worker`."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django_tasks import task

from naboskap.outbox import services as outbox
from naboskap.tenancy.models import Invitation

TOKEN_SALT = "naboskap.tenancy.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The token in the invitation's link: only the secret key turns the stored nonce into it."""
    return salted_hmac(TOKEN_SALT, invitation.nonce, algorithm="sha256").hexdigest()


def invitation_url(invitation: Invitation) -> str:
    """The absolute link of an invitation (staff pages live at SITE_URL)."""
    path = reverse("invitations:accept", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


@task()
def send_invitation(invitation_id: int, attempt: int = 0) -> None:
    """Email an open invitation its link, once per link, through the outbox (which tries
    again while the mail server is away). `attempt` is left from before the outbox."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("municipality", "invited_by")
            .filter(
                pk=invitation_id,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if invitation is None or (invitation.sent_at is not None and attempt == 0):
            return
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        _queue(invitation)


def _queue(invitation: Invitation) -> None:
    language = invitation.municipality.default_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "invitation": invitation,
            "municipality": invitation.municipality,
            "url": invitation_url(invitation),
            "invited_by": invitation.invited_by.get_full_name() if invitation.invited_by else "",
        }
        subject = render_to_string("tenancy/email/invitation_subject.txt", context)
        body = render_to_string("tenancy/email/invitation_body.txt", context)
    # A resent invitation has a new link (a new nonce): a message of its own.
    outbox.queue(
        key=f"staff-invitation:{invitation.pk}:{invitation.nonce}",
        to=invitation.email,
        subject=subject,
        body=body,
        kind="staff_invitation",
        municipality=invitation.municipality,
    )
