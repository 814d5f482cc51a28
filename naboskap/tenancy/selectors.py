"""Reads about municipalities that several apps share."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404

from naboskap.lib import pagecache
from naboskap.tenancy.models import Municipality

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
