"""A municipality's webhook endpoints, and every delivery of an event to one (ADR 0032)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from naboskap.lib import events

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Event(models.TextChoices):
    CONCERN_RECEIVED = events.CONCERN_RECEIVED, _("A concern is received")
    CONCERN_STATUS_CHANGED = events.CONCERN_STATUS_CHANGED, _("A concern's status changes")
    MEASURE_CHANGED = events.MEASURE_CHANGED, _("A measure is created or changed")
    MINUTES_APPROVED = events.MINUTES_APPROVED, _("Minutes are approved")
    DOCUMENT_READY = events.DOCUMENT_READY, _("A document is ready")


PING = "ping"


class Endpoint(models.Model):
    """An address of one of the municipality's systems that is told about events, as its
    integration user: what an event carries is what the API shows that user, and an event
    about something the user may not see is not sent at all."""

    municipality = models.ForeignKey(
        "tenancy.Municipality",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system receives it."))
    url = models.URLField(_("address"), max_length=500, help_text=_("An https:// address."))
    events = models.JSONField(pgettext_lazy("webhook", "events"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("integration user"),
        help_text=_("Events carry only what the API shows this user."),
    )
    # Kept to sign every request (HMAC-SHA256); shown to the administrator once.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["municipality", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class Delivery(models.Model):
    """One event for one endpoint. (endpoint, event id) is unique: the same event is stored,
    and sent, once per endpoint however often the work that stores it runs."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("webhook", "Waiting")
        SENDING = "sending", pgettext_lazy("webhook", "Being sent")
        DELIVERED = "delivered", pgettext_lazy("webhook", "Delivered")
        FAILED = "failed", pgettext_lazy("webhook", "Failed")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40)
    event_id = models.CharField(max_length=40)
    # What the event is about: "<app>.<model>:<pk>".
    object_ref = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhooks_once_per_event")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhooks_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"
