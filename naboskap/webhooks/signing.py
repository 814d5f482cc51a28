"""How a webhook request is signed, and how a receiver checks it (ADR 0032).

Three headers, after the idea of Standard Webhooks (standardwebhooks.com):

    Webhook-Id: the event's id (the same on every attempt: a receiver drops one it has seen)
    Webhook-Timestamp: when this attempt was signed, in seconds since 1970 (UTC)
    Webhook-Signature: v1=<hex of HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")>

The key is the whole secret as shown once to the administrator ("whsec_…"), as UTF-8.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

VERSION = "v1"
TOLERANCE_SECONDS = 300


def signature(secret: str, webhook_id: str, timestamp: int | str, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def headers(secret: str, webhook_id: str, body: bytes, now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        "Webhook-Id": webhook_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(secret, webhook_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `body` with these `headers` was signed with `secret`, recently (a receiver's
    check: the header names in any case; several signatures separated by spaces, during a
    change of secret)."""
    lower = {name.lower(): value for name, value in headers.items()}
    webhook_id = lower.get("webhook-id", "")
    timestamp = lower.get("webhook-timestamp", "")
    given = lower.get("webhook-signature", "").split()
    if not webhook_id or not timestamp.isdigit() or not given:
        return False
    now = now if now is not None else time.time()
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, webhook_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in given)
