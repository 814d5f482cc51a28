"""Which municipality a request is for, and which language it is answered in."""

import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import get_user
from django.http import Http404
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.defaults import page_not_found

from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import (
    language_for,
    municipality_by_slug,
    municipality_for_request,
    profile_of,
    staff_municipality,
)

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
PREFIX = re.compile(r"^/k/(?P<slug>[-a-z0-9]+)(?P<rest>/.*)$")
# Under an unknown prefix these answer "no such municipality" themselves, in their format.
MACHINE_PATHS = ("/open311/", "/api/")
STAFF_PATH = "/app/"
API_PATH = "/api/"
# Answered for machines (a load balancer, Prometheus), in no language: no query for it.
MACHINE_ONLY_PATHS = ("/healthz", "/metrics")


class MunicipalityMiddleware:
    """Sets `request.municipality`: from a `/k/<slug>/` path prefix, the host, or the default.

    With a path prefix, the prefix becomes part of the script prefix, so every URL the page
    reverses stays within that municipality. Without one, the lookup is lazy: only pages that
    use the municipality pay for the query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PREFIX.match(request.path_info)
        if match:
            try:
                municipality = municipality_by_slug(match["slug"])
            except Http404 as exc:
                if not match["rest"].startswith(MACHINE_PATHS):
                    request.municipality = None
                    return page_not_found(request, exc)
                municipality = None  # the view answers in the machine client's own format
            request.municipality = municipality
            request.path_info = match["rest"]
            previous = get_script_prefix()
            set_script_prefix(f"{previous}k/{match['slug']}/")
            try:
                return self.get_response(request)
            finally:
                # The prefix is thread-local: leave the thread as it was found.
                set_script_prefix(previous)
        else:
            request.municipality = SimpleLazyObject(lambda: municipality_for_request(request))
        return self.get_response(request)


class LanguageMiddleware:
    """The visitor's chosen language (cookie), else a signed-in staff member's own language
    (their profile), else the municipality's default, else bokmål.

    Replaces Django's LocaleMiddleware: a municipality chooses between bokmål and nynorsk
    (språklova), so the browser's Accept-Language does not decide. The cookie comes first so
    that the public language switcher works for everyone; saving the profile sets the cookie
    too (see ADR 0006). For staff pages (/app/) the municipality is the one the staff member
    works in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGE_CODES:
            language = (
                self.asked_language(request)
                or self.own_language(request)
                or self.municipality_language(request)
            )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        if request.path_info.startswith(API_PATH):
            patch_vary_headers(response, ["Accept-Language"])
        return response

    @staticmethod
    def asked_language(request) -> str | None:
        """The language a client of the REST API asks for with Accept-Language: a program
        says what its users read (a browser's header, above, does not decide a page)."""
        if not request.path_info.startswith(API_PATH):
            return None
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
        return None

    @staticmethod
    def own_language(request) -> str | None:
        """A signed-in staff member's language: their own, else (on staff pages) that of the
        municipality they work in. None: the public site's municipality decides."""
        if request.path_info.startswith((settings.STATIC_URL, *MACHINE_ONLY_PATHS)):
            return None
        if not hasattr(request, "session") or SESSION_KEY not in request.session:
            return None  # nobody signed in: no query
        # The same user object the authentication middleware hands to the view, so the
        # profile and memberships read here are read once per request.
        user = get_user(request)
        if not user.is_authenticated or not memberships_of(user):
            return None
        own = profile_of(user)
        if own is not None and own.language in LANGUAGE_CODES:
            return own.language
        if not request.path_info.startswith(STAFF_PATH):
            return None
        return language_for(user, staff_municipality(request, user))

    @staticmethod
    def municipality_language(request) -> str:
        if request.path_info.startswith((settings.STATIC_URL, *MACHINE_ONLY_PATHS)):
            return settings.LANGUAGE_CODE
        municipality = request.municipality
        if municipality and municipality.default_language in LANGUAGE_CODES:
            return municipality.default_language
        return settings.LANGUAGE_CODE
