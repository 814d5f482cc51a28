"""Authentication backends that load a user's profile (and the municipality they work in)
with the user, in the same query.

The session policy (idle and absolute timeouts, "log out everywhere") and the staff pages'
municipality and language read `Profile` on every request; joining it here costs nothing.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ProfileLoadingMixin:
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("naboskap_profile__municipality")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(ProfileLoadingMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(ProfileLoadingMixin, AllauthBackend):
    pass
