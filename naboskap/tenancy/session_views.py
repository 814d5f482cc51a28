"""Ending one's own sessions on every device."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.tenancy.sessions import end_sessions


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    end_sessions(user=request.user)
    logout(request)
    messages.success(request, _("You are logged out on all your devices."))
    return redirect("portal:home")
