"""The staff side of the REST API: a bearer token acts as its user (ADR 0031).

`Authorization: Bearer nbk_…` authenticates the request as the token's user; the view's
`area` and the request's method say which scope it needs (`concerns:read` to read concerns,
`concerns:write` to change them); each token has its own rate limit on the shared cache. What
the user may do beyond that is asked of the same access helpers and rules as the pages.
"""

from __future__ import annotations

from auditlog.context import auditlog_value
from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.generics import GenericAPIView

from naboskap.api import services
from naboskap.api.models import READ, WRITE, ApiToken, Area
from naboskap.lib.ratelimits import rate_window
from naboskap.tenancy.selectors import stay_in_municipality


class BearerToken(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        token = services.token_check(raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it is unknown, expired or revoked.")
            )
        # auditlog's middleware chose the actor before the view authenticated: what this
        # request writes or reads (the access log) is recorded as the token's user's.
        context = auditlog_value.get(None)
        if context is not None:
            context["actor"] = token.user
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerToken
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token from Naboskap's page “API tokens” (under the user menu), sent as "
                "`Authorization: Bearer nbk_…`. It acts as its user, limited to its scopes."
            ),
        }


class HasScope(permissions.BasePermission):
    """The token's scopes cover the view's `area`: reading for a safe method, else writing."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        access = READ if request.method in permissions.SAFE_METHODS else WRITE
        if token.allows(view.area, access):
            return True
        self.message = _("The token may not %(access)s %(area)s.") % {
            "access": _("read") if access == READ else _("change"),
            "area": Area(view.area).label.lower(),
        }
        return False


def token_rate(group, request) -> str:
    return settings.API_TOKEN_RATE


class TokenLimit(throttling.BaseThrottle):
    """`API_TOKEN_RATE` per token, on the shared cache (every app node counts together)."""

    def allow_request(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True  # refused by the permission check anyway
        limited = is_ratelimited(
            request._request,
            group="api.token",
            key=lambda group, _request: str(token.pk),
            rate=token_rate,
            increment=True,
        )
        return not limited

    def wait(self) -> float:
        return rate_window(settings.API_TOKEN_RATE)


class StaffView(GenericAPIView):
    """A staff endpoint: a token, its scope for `area`, its rate limit. Opening an object
    through the API does not move the user's staff pages to its municipality."""

    area = ""
    authentication_classes = [BearerToken]
    permission_classes = [permissions.IsAuthenticated, HasScope]
    throttle_classes = [TokenLimit]

    def dispatch(self, request, *args, **kwargs):
        with stay_in_municipality():
            return super().dispatch(request, *args, **kwargs)
