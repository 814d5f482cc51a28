"""The webhooks' settings, read when used (never at import). `WEBHOOKS_TIMEOUT` and
`WEBHOOKS_KEEP_DAYS` come from the environment (settings.py); the retry pauses, the claim
time and plain http:// to localhost are for tests and the benchmark to change."""

from django.conf import settings

# The pause after each failed attempt, in seconds; after the last pause's attempt fails the
# delivery has failed: 8 attempts over about 18 hours (30 s, 2 min, 10 min, 30 min, 1 h,
# 4 h, 12 h).
RETRY_SECONDS = [30, 120, 600, 1800, 3600, 14400, 43200]


def retry_seconds() -> list[int]:
    return list(getattr(settings, "WEBHOOKS_RETRY_SECONDS", RETRY_SECONDS))


def timeout() -> float:
    """Seconds a receiver has to answer (to connect, and between bytes)."""
    return float(settings.WEBHOOKS_TIMEOUT)


def claim_seconds() -> int:
    """A delivery claimed this long ago by a worker that never recorded it is due again."""
    return int(getattr(settings, "WEBHOOKS_CLAIM_SECONDS", 300))


def allow_http_localhost() -> bool:
    """Plain http:// to 127.0.0.1 or localhost: for development, tests and the benchmark."""
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP_LOCALHOST", False))


def keep_days() -> int:
    """Delivered and failed deliveries are deleted after this many days."""
    return settings.WEBHOOKS_KEEP_DAYS
