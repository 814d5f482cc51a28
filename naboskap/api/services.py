"""Operations on API keys."""

from django.utils import timezone

from naboskap.api.models import ApiKey, hash_key
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
