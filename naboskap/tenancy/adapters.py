from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by an administrator; nobody signs up with a password."""

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_REGISTRATION


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A first login through Entra ID or ID-porten creates a user with no role.

    Roles are granted by a municipality administrator, so a new account sees nothing that is
    not public until then.
    """

    def is_open_for_signup(self, request, sociallogin):
        return True
