"""A staff member's own pages: the municipality they work in, and their profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.http import form_status, posted
from naboskap.tenancy import services
from naboskap.tenancy.access import staff_required
from naboskap.tenancy.breadcrumbs import profile_trail
from naboskap.tenancy.forms import MunicipalityChoiceForm, ProfileForm
from naboskap.tenancy.selectors import municipalities_of, profile_of, staff_municipality


@require_POST
@staff_required
def switch_municipality(request: HttpRequest) -> HttpResponse:
    """Work in another of one's municipalities; 404 for any other (nothing is stored)."""
    form = MunicipalityChoiceForm(request.POST, municipalities=municipalities_of(request.user))
    if not form.is_valid():
        raise Http404
    municipality = form.chosen()
    services.profile_choose_municipality(user=request.user, municipality=municipality)
    messages.success(request, _("You are now working in %(name)s.") % {"name": municipality.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("insights:home")
    return redirect(target)


@staff_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own name and language. The language takes effect at once: it is also
    set as the visitor's language choice (the cookie), which comes first (ADR 0006)."""
    user = request.user
    current = profile_of(user)
    form = ProfileForm(
        posted(request),
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": current.language if current else "",
        },
        municipality=staff_municipality(request),
    )
    if request.method == "POST" and form.is_valid():
        services.profile_edit(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        response = redirect("tenancy:profile")
        language = form.cleaned_data["language"]
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        else:
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
    context = {
        "form": form,
        "breadcrumbs": profile_trail(),
        "municipalities": municipalities_of(user),
        "session_idle_hours": settings.NABOSKAP_SESSION_IDLE_SECONDS / 3600,
        "session_max_hours": settings.NABOSKAP_SESSION_MAX_SECONDS / 3600,
    }
    return render(request, "tenancy/profile.html", context, status=form_status(form))
