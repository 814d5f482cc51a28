"""Two-step verification in tests: enrol a user in TOTP, compute codes, mark a session.

Staff pages need a TOTP authenticator and a session that passed the two-step check (see
naboskap.tenancy.access). A client made with `force_login` has passed no check, so test
helpers that log in that way call `pass_mfa_stage` as well.
"""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.http import HttpRequest


def enrol_totp(user) -> str:
    """Give the user a TOTP authenticator; returns its secret (to compute codes with)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (`offset` periods later or earlier).

    Waits for the next period when the current one is about to end, so that the code is
    still valid when the server checks it.
    """
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(period - time.time() % period + 0.1)
    counter = int(time.time()) // period + offset
    return format_hotp_value(hotp_value(secret, counter))


def pass_mfa_stage(client, user) -> None:
    """Record in a force-logged-in test client's session that it passed the two-step check,
    as allauth does after a correct code."""
    request = HttpRequest()
    request.session = client.session
    request.user = user
    record_authentication(request, user, "mfa", type="totp")
    request.session.save()
