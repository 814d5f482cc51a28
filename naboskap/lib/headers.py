"""Response headers every page gets, decided in one place.

- `Cache-Control: private, no-store` on everything with personal data: every staff page and
  file under the paths in `NABOSKAP_NO_STORE_PATHS` (`/app/`, the Django admin, logins and
  invitations), and the public pages named in `NABOSKAP_NO_STORE_URL_NAMES` that a personal
  link opens (a reporter's follow-up page, an answer to an invitation). Neither the browser's
  cache nor a proxy keeps a copy, so the next person at a shared computer cannot get it back
  from the cache. Public pages keep their own caching (ADR 0007).
- `Permissions-Policy` from `NABOSKAP_PERMISSIONS_POLICY` on every response: browser features
  that no page uses (camera, microphone, position, payment …) are switched off, also for
  anything that might one day be injected into a page.
"""

from __future__ import annotations

import re

from django.conf import settings

# A municipality's path prefix (see tenancy.middleware): /k/<slug>/app/ is a staff page too.
MUNICIPALITY_PREFIX = re.compile(r"^/k/[-a-z0-9]+(?=/)")
NO_STORE = "private, no-store"


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` as `camera=(), fullscreen=(self)`."""
    parts = []
    for feature, allowed in features.items():
        origins = " ".join(o if o in {"self", "*"} else f'"{o}"' for o in allowed)
        parts.append(f"{feature}=({origins})")
    return ", ".join(parts)


def is_private(request) -> bool:
    path = MUNICIPALITY_PREFIX.sub("", request.path_info, count=1)
    if path.startswith(tuple(settings.NABOSKAP_NO_STORE_PATHS)):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in settings.NABOSKAP_NO_STORE_URL_NAMES


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = permissions_policy(settings.NABOSKAP_PERMISSIONS_POLICY)
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        if is_private(request) and "no-store" not in response.get("Cache-Control", ""):
            # Replaces whatever the view said: `no-store` with `public` or `max-age` makes no
            # sense, and a view's own `no-store` (never_cache) is kept as it is.
            response["Cache-Control"] = NO_STORE
        return response
