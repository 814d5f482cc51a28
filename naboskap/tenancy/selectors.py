"""Reads about municipalities that several apps share."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from naboskap.tenancy.models import Municipality


def municipality_for_host(host: str) -> Municipality | None:
    """The municipality serving this host, else the deployment's default one."""
    hostname = host.split(":")[0].lower()
    by_host = Municipality.objects.filter(host=hostname).first() if hostname else None
    if by_host:
        return by_host
    if settings.DEFAULT_MUNICIPALITY:
        return Municipality.objects.filter(slug=settings.DEFAULT_MUNICIPALITY).first()
    return Municipality.objects.order_by("pk").first()


def municipality_by_slug(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404
    return municipality
