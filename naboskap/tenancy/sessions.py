"""Staff sessions that end: an idle timeout, an absolute lifetime, and "log out everywhere".

A session remembers when it signed in and when it was last used. `Profile.sessions_valid_from`
says from when sessions count: `end_sessions` moves it to now, so every session of the user,
on every device and whatever the session engine, is logged out on its next request.
Deactivating a user needs nothing more: Django's backends refuse inactive users.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.tenancy.models import Profile
from naboskap.tenancy.selectors import profile_of

SIGNED_IN_AT = "naboskap_signed_in_at"
LAST_SEEN_AT = "naboskap_last_seen_at"
# The last-seen time is written at most this often, so that reading pages does not write
# the session on every request.
LAST_SEEN_RESOLUTION = 60


def end_sessions(*, user) -> None:
    """Every session of `user` that exists now is logged out on its next request."""
    Profile.objects.update_or_create(user=user, defaults={"sessions_valid_from": timezone.now()})


@receiver(user_logged_in, dispatch_uid="naboskap_session_signed_in")
def _remember_sign_in(sender, request, user, **kwargs):
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_end_reason(request, now: float) -> str | None:
    """Why this signed-in session must end now, or None while it may go on."""
    session = request.session
    signed_in = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN_AT, signed_in)
    if signed_in is None or last_seen is None:
        # Signed in before the policy existed: the policy starts counting now.
        session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now
        return None
    profile = profile_of(request.user)
    if (
        profile
        and profile.sessions_valid_from
        and signed_in < profile.sessions_valid_from.timestamp()
    ):
        return "ended"
    if now - last_seen > settings.NABOSKAP_SESSION_IDLE_SECONDS:
        return "idle"
    if now - signed_in > settings.NABOSKAP_SESSION_MAX_SECONDS:
        return "expired"
    return None


class SessionPolicyMiddleware:
    """Logs out a session that was idle too long, is too old, or was ended elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            reason = session_end_reason(request, now)
            if reason is None:
                if now - request.session.get(LAST_SEEN_AT, now) >= LAST_SEEN_RESOLUTION:
                    request.session[LAST_SEEN_AT] = now
            else:
                logout(request)
                messages.info(request, self.message(reason))
        return self.get_response(request)

    @staticmethod
    def message(reason: str) -> str:
        return {
            "ended": _("You were logged out because all your sessions were ended. Log in again."),
            "idle": _(
                "You were logged out because you had not used Naboskap for a while. Log in again."
            ),
            "expired": _(
                "You were logged out because your session had lasted too long. Log in again."
            ),
        }[reason]
