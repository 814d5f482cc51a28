"""The pages where staff create, see and revoke their REST API tokens (ADR 0031), and where
the municipality administrator does so for a user of the municipality (a system user).

A new token's secret is shown once: the form's POST keeps it in the session and redirects to
`created`, which takes it out of the session as it shows it. Only a hash is stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from naboskap.api import services
from naboskap.api.forms import TokenForm
from naboskap.api.models import ApiToken
from naboskap.api.selectors import ACTIVE, scope_words, split_rows, token_rows, token_state
from naboskap.lib.breadcrumbs import Crumb, link, my_projects_trail
from naboskap.lib.http import form_status, posted
from naboskap.tenancy.access import staff_required
from naboskap.tenancy.administration.access import get_member_for_admin
from naboskap.tenancy.breadcrumbs import users_trail

# The new token's secret, between the POST that created it and the one page that shows it.
SHOWN_ONCE = "api_token_shown_once"


def _own_trail(*more):
    """My projects › My profile › API tokens › …"""
    tokens = link(_("API tokens"), "api_tokens:list") if more else _("API tokens")
    return my_projects_trail(link(_("My profile"), "tenancy:profile"), tokens, *more)


def _member_trail(member, *more):
    """My projects › Users › the user › …"""
    name = member.get_full_name() or member.username
    return users_trail(Crumb(name, reverse("administration:user", args=[member.pk])), *more)


def _keep_to_show_once(request, token: ApiToken, raw: str, *, member=None) -> None:
    request.session[SHOWN_ONCE] = {
        "pk": token.pk,
        "raw": raw,
        "member": member.pk if member is not None else None,
    }


# The user's own tokens --------------------------------------------------------------------


@staff_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens, and the form that creates one."""
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        token, raw = services.token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.scopes(),
            expires_at=form.expires_at(timezone.now()),
            by=request.user,
        )
        _keep_to_show_once(request, token, raw)
        return redirect("api_tokens:created")
    active, inactive = split_rows(token_rows(request.user))
    context = {
        "form": form,
        "active_rows": active,
        "inactive_rows": inactive,
        "breadcrumbs": _own_trail(),
    }
    return render(request, "api/tokens.html", context, status=form_status(form))


@never_cache
@staff_required
def token_created(request: HttpRequest) -> HttpResponse:
    """The new token's secret, once: a second visit (or a reload) no longer shows it."""
    shown = request.session.pop(SHOWN_ONCE, None)
    token = member = None
    if isinstance(shown, dict):
        token = (
            ApiToken.objects.select_related("user")
            .filter(pk=shown.get("pk"), created_by=request.user)
            .first()
        )
    if token is not None and shown.get("member"):
        member = token.user
        back = reverse("administration:user", args=[member.pk])
        breadcrumbs = _member_trail(member, _("New API token"))
    else:
        back = reverse("api_tokens:list")
        breadcrumbs = _own_trail(_("New API token"))
    context = {
        "token": token,
        "raw": shown["raw"] if token is not None else "",
        "member": member,
        "scopes": scope_words(token.scopes) if token is not None else [],
        "concerns_url": request.build_absolute_uri(reverse("api:concerns")),
        "back_url": back,
        "breadcrumbs": breadcrumbs,
    }
    return render(request, "api/token_created.html", context)


def _revoke_page(request, token: ApiToken, *, back: str, breadcrumbs, member=None):
    """Ask first; revoke on the confirming POST (with `confirm`), then go `back`."""
    if request.method == "POST" and request.POST.get("confirm"):
        services.token_revoke(token=token)
        messages.success(
            request,
            _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name},
        )
        return redirect(back)
    context = {
        "token": token,
        "state": token_state(token),
        "active": token_state(token) == ACTIVE,
        "scopes": scope_words(token.scopes),
        "member": member,
        "back_url": back,
        "breadcrumbs": breadcrumbs,
    }
    return render(request, "api/token_revoke.html", context)


@staff_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (anyone else's answers 404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    title = _("Revoke “%(name)s”") % {"name": token.name}
    return _revoke_page(
        request, token, back=reverse("api_tokens:list"), breadcrumbs=_own_trail(title)
    )


# The administrator, for a user of the municipality -----------------------------------------


@staff_required
def member_token_create(request: HttpRequest, user_pk: int) -> HttpResponse:
    """A token for a user with a role in the administered municipality (a system user,
    typically), created by the administrator. The form is also on the user's page."""
    _municipality, member = get_member_for_admin(request, user_pk)
    form = TokenForm(posted(request), prefix="token")
    if request.method == "POST" and form.is_valid():
        token, raw = services.token_create(
            user=member,
            name=form.cleaned_data["name"],
            scopes=form.scopes(),
            expires_at=form.expires_at(timezone.now()),
            by=request.user,
        )
        _keep_to_show_once(request, token, raw, member=member)
        return redirect("api_tokens:created")
    context = {
        "form": form,
        "member": member,
        "breadcrumbs": _member_trail(member, _("New API token")),
    }
    return render(request, "api/member_token_form.html", context, status=form_status(form))


@staff_required
def member_token_revoke(request: HttpRequest, user_pk: int, pk: int) -> HttpResponse:
    """Revoke a token of a user with a role in the administered municipality."""
    _municipality, member = get_member_for_admin(request, user_pk)
    token = get_object_or_404(ApiToken, pk=pk, user=member)
    title = _("Revoke “%(name)s”") % {"name": token.name}
    return _revoke_page(
        request,
        token,
        back=reverse("administration:user", args=[member.pk]),
        breadcrumbs=_member_trail(member, title),
        member=member,
    )
