"""The gate in front of every staff page: logged in, holds a role, and enrolled in MFA."""

from __future__ import annotations

from functools import wraps

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from naboskap.tenancy.rules import memberships_of


def has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def staff_required(view):
    """Login, at least one membership and, when required, a TOTP authenticator."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not memberships_of(user):
            raise PermissionDenied(_("Your account has no role in any municipality."))
        if settings.NABOSKAP_MFA_REQUIRED and not has_mfa(user):
            messages.warning(
                request,
                _("Set up two-step verification before you open the staff pages."),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper
