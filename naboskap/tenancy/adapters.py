import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from naboskap.lib.ratelimits import client_ip
from naboskap.outbox import services as outbox
from naboskap.tenancy.invitations.views import connect_invited_login
from naboskap.tenancy.mfa import PROVIDER_AWARE_STAGE

ALLAUTH_MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by an administrator; nobody signs up with a password."""

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_REGISTRATION

    def send_mail(self, template_prefix, email, context):
        """allauth's emails (a password reset, an address to confirm) go through the outbox
        like every other: the worker sends them, and tries again while the server is away."""
        message = self.render_mail(template_prefix, email, context)
        outbox.queue(
            key=f"account:{uuid.uuid4()}",
            to=email,
            subject=message.subject,
            body=message.body,
            kind="account",
        )

    def get_client_ip(self, request) -> str:
        """The address the rate limits of the public pages use too (RATELIMIT_IP_META_KEY)."""
        return client_ip(request) or "unknown"

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed logins are counted per account *and address*: a stranger who keeps
        guessing is throttled without locking the owner out of the account elsewhere."""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}@{self.get_client_ip(request)}"

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with the two-step stage that trusts a provider's second factor."""
        return [
            PROVIDER_AWARE_STAGE if stage == ALLAUTH_MFA_STAGE else stage
            for stage in super().get_login_stages()
        ]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A first login through Entra ID or ID-porten creates a user with no role.

    Roles are granted by a municipality administrator, so a new account sees nothing that is
    not public until then.
    """

    def is_open_for_signup(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        """An invitation in the session (the invitee chose the staff's identity provider on
        the invitation page): connect this login to the invited user and grant the roles."""
        connect_invited_login(request, sociallogin)
