"""Every email Naboskap sends, stored per recipient before it is sent (the outbox)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Attachment(models.Model):
    """A file attached to emails, stored once however many recipients get it."""

    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class Email(models.Model):
    """One email to one address. `key` names the message (the news update, the receipt of a
    concern…); with the address it is unique, so queuing the same message twice, from a
    second worker or a re-run, stores it once and sends it once."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("email", "Waiting to be sent")
        SENDING = "sending", pgettext_lazy("email", "Being sent")
        SENT = "sent", pgettext_lazy("email", "Sent")
        FAILED = "failed", pgettext_lazy("email", "Failed")
        DROPPED = "dropped", pgettext_lazy("email", "Not sent")

    key = models.CharField(_("message"), max_length=200)
    to = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=40)
    municipality = models.ForeignKey(
        "tenancy.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    # Erased once the email is sent: the outbox is not an archive, and a body may hold a
    # one-time link.
    body = models.TextField(_("text"), blank=True)
    reply_to = models.EmailField(_("reply to"), blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="emails")
    message_id = models.CharField(max_length=200, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "to"], name="outbox_once_per_recipient")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["municipality", "status"], name="outbox_by_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Bounce(models.Model):
    """An address a mail server said does not exist (a bounce, or a final refusal). Emails
    to it are not sent again until the flag is lifted (it is tried again after a while)."""

    address = models.EmailField(_("address"), unique=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    first_at = models.DateTimeField(_("first bounced"), auto_now_add=True)
    last_at = models.DateTimeField(_("last bounced"))
    count = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")

    def __str__(self) -> str:
        return self.address
