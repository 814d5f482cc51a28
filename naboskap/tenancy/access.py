"""The gate in front of every staff page: logged in, holds a role, and verified with MFA.

When `NABOSKAP_MFA_REQUIRED` is on (the default), the current session must have passed a
two-step check: a TOTP code (or a recovery code), or a login through an identity provider whose
ID token says it asked for a second factor (see `tenancy.mfa`). A user with neither is sent to
set up TOTP. allauth asks for
the code at login for everyone who has an authenticator, but a session can exist without it:
one that logged in before the user enrolled (in another browser, say), or one an
administrator's tool opened. Such a session is sent to allauth's "confirm with a code" page
and comes back to the page it asked for.
"""

from __future__ import annotations

from functools import wraps

import rules
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from naboskap.tenancy.mfa import MFA_METHOD, PROVIDER_CHECK
from naboskap.tenancy.models import Municipality
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import staff_municipality


def has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_passed_mfa(request, user) -> bool:
    """Whether this session has shown a second factor that still stands: a code from the
    user's authenticator (or a recovery code) while they still have one, or a provider's."""
    checks = [
        record
        for record in get_authentication_records(request, user)
        if record.get("method") == MFA_METHOD
    ]
    if any(record.get("type") == PROVIDER_CHECK for record in checks):
        return True
    return bool(checks) and has_mfa(user)


@receiver(authenticator_added, dispatch_uid="naboskap_mfa_enrolled_in_session")
def _enrolment_counts_as_verification(sender, request, user, authenticator, **kwargs):
    """Activating TOTP takes a valid code from the new authenticator: the session that did it
    has shown the second factor, so it need not be asked again straight away."""
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_authentication(
            request, user, MFA_METHOD, id=authenticator.pk, type=authenticator.type, enrolled=True
        )


def staff_required(view):
    """Login, at least one membership and, when required, TOTP verified in this session."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _gate(request)
        if response is None:
            return view(request, *args, **kwargs)
        if request.htmx and response.status_code == 302:
            # A fragment (a live poll, say) must not swap the login page into itself: the
            # whole page goes there, and comes back to the page, not to the fragment.
            return HttpResponseClientRedirect(response.url)
        return response

    return wrapper


def _gate(request):
    """The answer for a request that may not pass the staff gate, or None."""
    user = request.user
    page = (request.htmx.current_url_abs_path if request.htmx else None) or request.get_full_path()
    if not user.is_authenticated:
        return redirect_to_login(page)
    if not memberships_of(user):
        return render(request, "tenancy/no_role.html", status=403)
    return second_factor_gate(request, user, page)


def second_factor_gate(request, user, page: str):
    """Where to send a signed-in user whose session has not passed a two-step check, or
    None when it has (or when two-step login is not required)."""
    if not settings.NABOSKAP_MFA_REQUIRED or session_passed_mfa(request, user):
        return None
    if not has_mfa(user):
        messages.warning(
            request, _("Set up two-step verification before you open the staff pages.")
        )
        return redirect("mfa_activate_totp")
    messages.info(request, _("Confirm that it is you with a code from your authenticator app."))
    query = urlencode({REDIRECT_FIELD_NAME: page})
    return redirect(f"{reverse('mfa_reauthenticate')}?{query}")


def get_staff_municipality(request, *perms: str) -> Municipality:
    """The municipality a staff page without an object in its address works in: the one the
    user chose in the header's switcher, else the first of theirs by name (see
    `tenancy.selectors.current_municipality`). 403 when there is none, or when the user lacks
    any of `perms` there (asked of the rules, so a Django superuser gets only what their
    memberships give). Every such page asks this, and only this."""
    municipality = staff_municipality(request)
    if municipality is None or not all(
        rules.has_perm(perm, request.user, municipality) for perm in perms
    ):
        raise PermissionDenied
    return municipality
