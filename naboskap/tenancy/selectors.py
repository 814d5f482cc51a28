"""Reads about municipalities that several apps share."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404

from naboskap.lib import pagecache
from naboskap.tenancy.models import Municipality, Profile
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.services import profile_choose_municipality

# Every public request runs this, so it is one plain statement (no ORM query building):
# the host's own municipality first, then the configured default, then the oldest.
FOR_HOST_SQL = """
    SELECT * FROM tenancy_municipality
    ORDER BY CASE WHEN host = %s THEN 0 ELSE 1 END,
             CASE WHEN slug = %s THEN 0 ELSE 1 END,
             id
    LIMIT 1
"""


def municipality_for_host(host: str) -> Municipality | None:
    """The municipality serving this host, else the deployment's default one, in one query."""
    # A space matches no host name and no slug.
    hostname = host.split(":")[0].lower() or " "
    default = settings.DEFAULT_MUNICIPALITY or " "
    return next(iter(Municipality.objects.raw(FOR_HOST_SQL, [hostname, default])), None)


# Host → municipality, per app process, for the current page-cache generation only: any
# save of a municipality moves the generation on (see Municipality.save), so every process
# looks again. Saves a database query on every request.
_for_host: dict[tuple, Municipality | None] = {}


def municipality_for_request(request) -> Municipality | None:
    key = (request.get_host(), settings.DEFAULT_MUNICIPALITY, pagecache.generation(request))
    if key not in _for_host:
        if len(_for_host) > 1000 or any(k[2] != key[2] for k in _for_host):
            _for_host.clear()
        _for_host[key] = municipality_for_host(key[0])
    return _for_host[key]


def municipality_by_slug(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404
    return municipality


def municipality_url(municipality: Municipality, path: str) -> str:
    """The absolute address of `path` as the public reaches it within `municipality`.

    Used where there is no request to take the address from, such as emails sent by the
    worker: the municipality's own host name, else SITE_URL with the `/k/<slug>` prefix,
    which the deployment's default municipality does without.
    """
    scheme = urlsplit(settings.SITE_URL).scheme or "https"
    if municipality.host:
        return f"{scheme}://{municipality.host}{path}"
    default = municipality_for_host("")
    prefix = "" if default and default.pk == municipality.pk else f"/k/{municipality.slug}"
    return f"{settings.SITE_URL}{prefix}{path}"


# The staff member's own context ---------------------------------------------------------------
#
# A staff member may hold roles in several municipalities (an inter-municipal service, a
# consultant). They work in one at a time: the one stored in their `Profile`, as long as they
# still hold a role there, else the first of theirs by name (which is then stored). Every
# staff page that lists or creates things asks `tenancy.access.get_staff_municipality`
# (this, with the permission the page needs); pages of one object follow the object (see
# `enter_municipality`). The profile and the municipalities are
# read at most once per request and kept on the user object, like the memberships.


def profile_of(user) -> Profile | None:
    """The user's profile with its municipality (one query, kept on the user object like
    Django's own relation cache, so `user.naboskap_profile` reads it too); None when there is
    none yet or the user is anonymous."""
    if user is None or not user.is_authenticated:
        return None
    relation = get_user_model().naboskap_profile.related
    if not relation.is_cached(user):
        profile = Profile.objects.select_related("municipality").filter(user=user).first()
        relation.set_cached_value(user, profile)
    return relation.get_cached_value(user)


def municipalities_of(user) -> list[Municipality]:
    """The municipalities where the user holds a role, by name (one query, then kept)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_naboskap_municipalities", None)
    if cached is None:
        ids = {m.municipality_id for m in memberships_of(user)}
        cached = list(Municipality.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []
        user._naboskap_municipalities = cached
    return cached


def has_several_municipalities(user) -> bool:
    """No query: answered from the memberships."""
    return len({m.municipality_id for m in memberships_of(user)}) > 1


def current_municipality(user, public: Municipality | None = None) -> Municipality | None:
    """The municipality the user works in now; None for a user without any role.

    With one municipality there is nothing to choose: it is `public` (the site's own, which
    costs no query) when that is it, else read. With several, the profile's choice while the
    user still has a role there, else the first by name, which is then stored.
    """
    if not user.is_authenticated:
        return None
    ids = {m.municipality_id for m in memberships_of(user)}
    if not ids:
        return None
    if len(ids) == 1:
        if public is not None and public.pk in ids:
            return public
        return municipalities_of(user)[0]
    profile = profile_of(user)
    if profile is not None and profile.municipality_id in ids:
        return profile.municipality
    first = municipalities_of(user)[0]
    _remember(user, first)
    return first


def staff_municipality(request, user=None) -> Municipality | None:
    """The municipality a staff request works in (see `current_municipality`). Lists and
    "create" pages use it: they show and make things of this municipality only. (`user` for
    middleware that runs before `request.user` is set.)"""
    return current_municipality(user or request.user, getattr(request, "municipality", None))


# Set while the REST API answers (`stay_in_municipality`): a system reading objects of
# several municipalities through a token must not move its user's pages between them.
_staying = ContextVar("naboskap_stay_in_municipality", default=False)


@contextmanager
def stay_in_municipality():
    """Within this block, `enter_municipality` changes nothing."""
    reset = _staying.set(True)
    try:
        yield
    finally:
        _staying.reset(reset)


def enter_municipality(user, municipality_id: int | None) -> None:
    """The user opened an object of this municipality (an emailed link, say): if they hold a
    role there and it is not the one they work in, they work there from now on, so the
    header, the lists and the menu agree with the page. Access helpers call this once they
    have let the user in; it costs no query unless the context changes. Not for the API
    (`stay_in_municipality`)."""
    if municipality_id is None or _staying.get() or not has_several_municipalities(user):
        return
    current = current_municipality(user)
    if current is None or current.pk == municipality_id:
        return
    for municipality in municipalities_of(user):
        if municipality.pk == municipality_id:
            _remember(user, municipality)
            return


def _remember(user, municipality: Municipality) -> None:
    profile = profile_choose_municipality(user=user, municipality=municipality)
    get_user_model().naboskap_profile.related.set_cached_value(user, profile)


def language_for(user, municipality: Municipality | None) -> str:
    """The language of pages and emails for `user`: their own, else the municipality's,
    else the deployment's default."""
    codes = {code for code, _name in settings.LANGUAGES}
    profile = profile_of(user)
    if profile is not None and profile.language in codes:
        return profile.language
    if municipality is not None and municipality.default_language in codes:
        return municipality.default_language
    return settings.LANGUAGE_CODE


def recipients_by_language(users, municipality, addresses=()) -> dict[str, list[str]]:
    """Email addresses grouped by the language to write to them in: each user's own (see
    `language_for`), and the municipality's for `addresses` that belong to no user (a unit's
    shared address). Load `users` with `select_related("naboskap_profile")` to spare a
    query each. An address is written to once, in the first language found for it."""
    groups: dict[str, list[str]] = {}
    seen: set[str] = set()
    everyone = [(user.email, language_for(user, municipality)) for user in users]
    everyone += [(address, language_for(None, municipality)) for address in addresses]
    for address, language in everyone:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            groups.setdefault(language, []).append(address)
    return {language: sorted(found) for language, found in groups.items()}
