"""Reads about municipalities that several apps share."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Case, When
from django.http import Http404

from naboskap.tenancy.models import Municipality


def municipality_for_host(host: str) -> Municipality | None:
    """The municipality serving this host, else the deployment's default one, in one query."""
    hostname = host.split(":")[0].lower()
    preference = [Case(When(host=hostname, then=0), default=2)] if hostname else []
    if settings.DEFAULT_MUNICIPALITY:
        preference.append(Case(When(slug=settings.DEFAULT_MUNICIPALITY, then=0), default=1))
    return Municipality.objects.order_by(*preference, "pk").first()


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
