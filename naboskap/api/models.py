"""API keys for third-party clients of the Open311 endpoint, one set per municipality, and the
REST API's tokens, one per staff member's (or system user's) use.

Only a SHA-256 of each key or token is stored: the secret itself is shown once, when it is created.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from naboskap.tenancy.models import Municipality


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return secrets.token_urlsafe(32)


class ApiKey(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses the key."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("starts with"), max_length=8, editable=False, help_text=_("To recognise the key.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["municipality", "name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self) -> str:
        """Give the key a new secret; returns it (the only time it is known)."""
        raw = new_key()
        self.key_hash = hash_key(raw)
        self.prefix = raw[:8]
        return raw


class Area(models.TextChoices):
    """What a staff token may reach: each area is read, or read and written (a scope)."""

    CONCERNS = "concerns", _("Concerns")
    MEASURES = "measures", _("Measures and plans")
    MEETINGS = "meetings", _("Meetings and minutes")
    ANALYSES = "analyses", _("Risk analyses")
    STAKEHOLDERS = "stakeholders", _("Stakeholders")
    SURVEYS = "surveys", _("Surveys")


READ, WRITE = "read", "write"
TOKEN_PREFIX = "nbk_"


def scope(area: str, access: str) -> str:
    return f"{area}:{access}"


def all_scopes() -> list[str]:
    return [scope(area, access) for area in Area.values for access in (READ, WRITE)]


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A staff member's (or a system user's) key to the REST API: it acts as its user, with
    exactly the user's access, narrowed to its scopes. Only a SHA-256 of the token is kept;
    the token itself is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    scopes = models.JSONField(_("access"), default=list)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_token(self) -> str:
        """Give the token a new secret; returns it (the only time it is known)."""
        raw = TOKEN_PREFIX + new_key()
        self.key_hash = hash_key(raw)
        self.prefix = raw[:12]
        return raw

    def allows(self, area: str, access: str) -> bool:
        """Whether the token's scopes cover `access` to `area` (writing includes reading)."""
        granted = set(self.scopes)
        if access == READ:
            return scope(area, READ) in granted or scope(area, WRITE) in granted
        return scope(area, WRITE) in granted

    def usable(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.user.is_active
