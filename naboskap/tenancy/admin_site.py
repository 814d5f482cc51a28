"""The Django admin behind the same two-step login as the staff pages.

The admin can set passwords, delete authenticators and grant roles, so with
`NABOSKAP_MFA_REQUIRED` on, nobody uses it, superusers included, without a session that passed
a two-step check. Login goes through allauth (and its two-step stage); a signed-in user without
the check is sent to set up TOTP or to confirm with a code, and comes back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from naboskap.tenancy.access import second_factor_gate, session_passed_mfa


class NaboskapAdminSite(admin.AdminSite):
    site_header = _("Naboskap administration")
    site_title = _("Naboskap")

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.NABOSKAP_MFA_REQUIRED or session_passed_mfa(request, request.user)

    def login(self, request, extra_context=None):
        user = request.user
        page = request.GET.get(REDIRECT_FIELD_NAME) or request.path
        if not user.is_authenticated:
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        return second_factor_gate(request, user, page) or super().login(request, extra_context)
