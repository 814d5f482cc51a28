"""Accepting an invitation (`/invitasjon/<token>/`): a new account with a password, the roles
added to an account the invitee already has, or a login through the staff's OpenID Connect
provider (Entra ID) that is connected to the invited user.

The link's token is single use: whichever way the invitee takes, the invitation is locked and
marked accepted in the same transaction that grants the roles.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.internal.flows.login import record_authentication
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from naboskap.lib.errors import show_error
from naboskap.lib.ratelimits import read_rate, write_rate
from naboskap.tenancy.administration import services
from naboskap.tenancy.administration.forms import AcceptInvitationForm
from naboskap.tenancy.models import Invitation

User = get_user_model()

SESSION_KEY = "naboskap_invitation"
STAFF_PROVIDER = "entra"


def staff_provider_configured() -> bool:
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return any(app.get("provider_id") == STAFF_PROVIDER for app in apps)


def _page(request, invitation, state, status=200, **context) -> HttpResponse:
    context = {
        "invitation": invitation,
        "state": state,
        "provider": staff_provider_configured(),
        **context,
    }
    return render(request, "tenancy/invitation.html", context, status=status)


@ratelimit(key="ip", rate=read_rate, block=True)
@ratelimit(key="ip", rate=write_rate, method="POST", block=True)
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_find(token)
    state = services.invitation_state(invitation)
    if state != "valid":
        # Expired, used, revoked or unknown: a page that says so (410 Gone, 404 unknown).
        return _page(request, invitation, state, status=404 if state == "unknown" else 410)
    user = request.user
    existing = services.existing_user_for(invitation)
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return _page(
                request, invitation, "other_user", status=403 if request.method == "POST" else 200
            )
        if request.method == "POST":
            services.invitation_accept_existing(invitation=invitation, user=user)
            messages.success(
                request,
                _("Welcome to %(municipality)s.") % {"municipality": invitation.municipality},
            )
            return redirect("insights:home")
        return _page(request, invitation, "existing_signed_in")
    if request.method == "POST" and request.POST.get("action") == "oidc":
        return _start_provider_login(request, invitation)
    if existing is not None:
        login_url = f"{reverse('account_login')}?next={request.path}"
        return _page(request, invitation, "existing", login_url=login_url)
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, invitation=invitation
    )
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.invitation_accept_new(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except services.AdminError as error:
            show_error(request, error, form)
        else:
            get_account_adapter(request).login(request, new_user)
            # They have just chosen and typed the password: a fresh sign-in, so allauth lets
            # them set up TOTP without asking for the password again.
            record_authentication(
                request, new_user, "password", username=new_user.username, reauthenticated=True
            )
            messages.success(
                request,
                _("Your account is ready. Set up two-step login to open the staff pages."),
            )
            return redirect("insights:home")
    return _page(request, invitation, "new", status=400 if form.errors else 200, form=form)


def _start_provider_login(request, invitation: Invitation) -> HttpResponse:
    """Remember the invitation in the session and go to the staff's identity provider; on the
    way back, `connect_invited_login` (the social account adapter) uses it."""
    if not staff_provider_configured():
        return _page(request, invitation, "new", status=400, form=None)
    request.session[SESSION_KEY] = {"pk": invitation.pk, "hash": invitation.token_hash}
    provider = get_social_adapter().get_provider(request, STAFF_PROVIDER)
    return provider.redirect(request, process="login", next_url=reverse("insights:home"))


def connect_invited_login(request, sociallogin) -> None:
    """Called before a social login completes: with an invitation in the session, accept it
    for the user of this login, creating the user (with no password) if it is new."""
    stored = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not stored or sociallogin.account.provider != STAFF_PROVIDER:
        return
    request.session.pop(SESSION_KEY, None)
    invitation = Invitation.objects.filter(
        pk=stored.get("pk"), token_hash=stored.get("hash")
    ).first()
    if services.invitation_state(invitation) != "valid":
        messages.error(request, _("The invitation can no longer be used."))
        return
    with transaction.atomic():
        if sociallogin.is_existing:
            services.invitation_accept_existing(invitation=invitation, user=sociallogin.user)
            return
        user = services.existing_user_for(invitation)
        if user is None:
            user = User(
                username=_free_username(invitation.email),
                email=invitation.email,
                first_name=invitation.name.partition(" ")[0],
                last_name=invitation.name.partition(" ")[2],
            )
            user.set_unusable_password()
            user.save()
        services.invitation_accept_existing(invitation=invitation, user=user)
        sociallogin.connect(request, user)


def _free_username(email: str) -> str:
    base = (email.split("@")[0] or "user")[:140]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate
