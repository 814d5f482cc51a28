"""API keys for third-party clients of the Open311 endpoint, one set per municipality.

Only a SHA-256 of each key is stored: the key itself is shown once, when it is created.
"""

import hashlib
import secrets

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
