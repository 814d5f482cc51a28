"""Operations on Open311's API keys and the REST API's tokens."""

from datetime import datetime, timedelta

from django.utils import timezone

from naboskap.api.models import ApiKey, ApiToken, all_scopes, hash_key
from naboskap.tenancy.models import Municipality


def api_key_create(*, municipality: Municipality, name: str) -> tuple[ApiKey, str]:
    """A new active key. Returns the key and its secret, which is not stored anywhere."""
    key = ApiKey(municipality=municipality, name=name)
    raw = key.set_new_key()
    key.save()
    return key, raw


def api_key_check(*, municipality: Municipality, raw: str) -> ApiKey | None:
    """The municipality's active key with this secret, marked as used; else None."""
    if not raw or len(raw) > 200:
        return None
    key = ApiKey.objects.filter(
        municipality=municipality, key_hash=hash_key(raw), active=True
    ).first()
    if key is not None:
        now = timezone.now()
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# A token's last use is written at most this often: not one UPDATE per request.
LAST_USED_EVERY = timedelta(minutes=1)


def token_create(
    *, user, name: str, scopes: list[str], expires_at: datetime, by=None
) -> tuple[ApiToken, str]:
    """A new token acting as `user`, limited to `scopes`. Returns the token and its secret,
    which is not stored anywhere."""
    unknown = set(scopes) - set(all_scopes())
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    token = ApiToken(
        user=user,
        name=name,
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=by or user,
    )
    raw = token.set_new_token()
    token.save()
    return token, raw


def token_revoke(*, token: ApiToken) -> None:
    """Refused from now on (kept, with its history, for the record)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_check(raw: str) -> ApiToken | None:
    """The usable token with this secret (not revoked, not expired, its user active), marked
    as used; else None."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.usable(now).select_related("user").filter(key_hash=hash_key(raw)).first()
    )
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
