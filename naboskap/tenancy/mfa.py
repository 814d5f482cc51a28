"""A second factor proven at the identity provider counts as Naboskap's two-step check.

Entra ID puts `mfa` in the ID token's `amr` claim when the user passed a second factor
(RFC 8176); ID-porten says so with the level of assurance in `acr`: `idporten-loa-substantial`
and `idporten-loa-high` are reached only with two factors. Such a login skips Naboskap's own
TOTP and is recorded in the session as a two-step check (see `tenancy.access`). Any other
login through a provider is asked for the TOTP code as before.
"""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import user_logged_in
from allauth.mfa.stages import AuthenticateStage
from django.dispatch import receiver

MFA_METHOD = "mfa"
# The `type` of the two-step record that a provider's second factor leaves in the session.
PROVIDER_CHECK = "provider"
PROVIDER_AWARE_STAGE = "naboskap.tenancy.mfa.ProviderAwareAuthenticateStage"
# `acr` values that a provider issues only after two factors.
TWO_FACTOR_ACR = frozenset({"idporten-loa-substantial", "idporten-loa-high"})


def claims_show_second_factor(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return "mfa" in amr or claims.get("acr") in TWO_FACTOR_ACR


def provider_second_factor(sociallogin) -> bool:
    """Whether this login through an OpenID Connect provider used a second factor there."""
    if sociallogin is None:
        return False
    data = sociallogin.account.extra_data or {}
    # allauth keeps the verified ID token's claims under "id_token"; the userinfo response
    # carries no authentication context.
    return claims_show_second_factor(data.get("id_token") or {})


class ProviderAwareAuthenticateStage(AuthenticateStage):
    """allauth's "enter your code" stage, skipped when the provider already asked for one."""

    def _should_handle(self, request) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if provider_second_factor(sociallogin):
            return False
        return super()._should_handle(request)


@receiver(user_logged_in, dispatch_uid="naboskap_provider_second_factor")
def _record_provider_second_factor(sender, request, user, sociallogin=None, **kwargs):
    if provider_second_factor(sociallogin):
        record_authentication(
            request, user, MFA_METHOD, type=PROVIDER_CHECK, provider=sociallogin.account.provider
        )
