"""The rate limits of the public endpoints, in one place (django-ratelimit on the shared
cache, ADR 0004).

The limits are settings, so an operator sets them in the environment (README):
`PUBLIC_READ_RATE` for reading any public page, `PUBLIC_WRITE_RATE` for sending a public
form, `PUBLIC_VOTE_RATE` for a vote in a live scoring round, and `OPEN311_KEY_RATE` for an
Open311 client with an API key. The functions below are what the views give django-ratelimit
as `rate`: they read the setting at each request, so a changed setting applies at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_ratelimit.core import _split_rate


# Generous for reading, strict for writing: a neighbourhood shares few IP addresses.
def read_rate(group, request) -> str:
    return settings.PUBLIC_READ_RATE


def write_rate(group, request) -> str:
    return settings.PUBLIC_WRITE_RATE


def vote_rate(group, request) -> str:
    """A meeting room often shares one address, and everyone in it votes."""
    return settings.PUBLIC_VOTE_RATE


def open311_write_rate(group, request) -> str:
    """Per API key, a rate for an app that reports for many people; per address without."""
    if request.POST.get("api_key"):
        return settings.OPEN311_KEY_RATE
    return settings.PUBLIC_WRITE_RATE


def client_ip(request) -> str:
    """The client's address as the rate limits see it: `REMOTE_ADDR`, or behind a proxy the
    header named by RATELIMIT_IP_META_KEY (empty when the request lacks it)."""
    return request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR") or ""


def rate_window(rate: str) -> int:
    """The length in seconds of a django-ratelimit rate's window ("10/h": 3600)."""
    try:
        return int(_split_rate(rate)[1])
    except (ValueError, TypeError):
        return int(timedelta(hours=1).total_seconds())
