"""What the pages show of the REST API's tokens: a user's tokens, each with its state and its
scopes in words."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.api.models import READ, WRITE, ApiToken, Area, scope

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


def tokens_of(user):
    """The user's tokens, newest first, revoked and expired ones too (kept for the record)."""
    return (
        ApiToken.objects.filter(user=user)
        .select_related("user", "created_by")
        .order_by("-created_at", "-pk")
    )


def token_state(token: ApiToken, now=None) -> str:
    """ "revoked", "expired" or "active" (a revoked token stays revoked after it expires)."""
    if token.revoked_at is not None:
        return REVOKED
    if token.expires_at <= (now or timezone.now()):
        return EXPIRED
    return ACTIVE


def scope_access(scopes) -> dict[str, str]:
    """Each area the scopes reach: WRITE where they may change it, else READ."""
    granted = set(scopes)
    access = {}
    for area in Area.values:
        if scope(area, WRITE) in granted:
            access[area] = WRITE
        elif scope(area, READ) in granted:
            access[area] = READ
    return access


def scope_words(scopes) -> list[str]:
    """The scopes as a person reads them: "Concerns: read and change", in the areas' order."""
    words = {READ: _("read"), WRITE: _("read and change")}
    return [
        _("%(area)s: %(access)s") % {"area": Area(area).label, "access": words[access]}
        for area, access in scope_access(scopes).items()
    ]


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    state: str
    scopes: list[str]

    @property
    def active(self) -> bool:
        return self.state == ACTIVE


def token_rows(user, now=None) -> list[TokenRow]:
    """The user's tokens as the token pages list them."""
    now = now or timezone.now()
    return [
        TokenRow(token=token, state=token_state(token, now), scopes=scope_words(token.scopes))
        for token in tokens_of(user)
    ]


def split_rows(rows: list[TokenRow]) -> tuple[list[TokenRow], list[TokenRow]]:
    """(the active tokens, the expired and revoked ones)."""
    return [row for row in rows if row.active], [row for row in rows if not row.active]
