"""Atom feeds of published updates: one per project and one for all of a municipality's.

Every feed and entry names its author (the municipality), and ids are tag URIs (RFC 4151) on
the deployment's own host (`SITE_URL`), so an entry keeps its id whichever host name or
`/k/<slug>/` prefix the feed was read through.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from naboskap.portal.views import current_municipality, get_public_project, public_read
from naboskap.projects import selectors
from naboskap.projects.models import Update

FEED_LENGTH = 30
# The date in a municipality feed's tag URI: any fixed day on which the authority was held.
FEEDS_SINCE = datetime.date(2026, 1, 1)


def tag_uri(day, specific: str) -> str:
    authority = urlsplit(settings.SITE_URL).hostname or "naboskap"
    return f"tag:{authority},{day:%Y-%m-%d}:{specific}"


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

    def item_guid(self, item: Update) -> str:
        return tag_uri(item.published_at, f"update/{item.pk}")

    def item_guid_is_permalink(self, item: Update) -> bool:
        return False

    def item_author_name(self, item: Update) -> str:
        return item.project.municipality.name

    def item_title(self, item: Update) -> str:
        return item.title

    def item_description(self, item: Update) -> str:
        return item.body

    def item_link(self, item: Update) -> str:
        return f"{item.project.get_public_url()}#oppdatering-{item.pk}"

    def item_pubdate(self, item: Update):
        return item.published_at

    def item_updateddate(self, item: Update):
        return item.published_at


class ProjectFeed(UpdatesFeed):
    def get_object(self, request, slug):
        return get_public_project(request, slug)

    def title(self, obj):
        return _("News about %(project)s") % {"project": obj.name}

    def link(self, obj):
        return obj.get_public_url()

    def subtitle(self, obj):
        return obj.municipality.name

    def author_name(self, obj):
        return obj.municipality.name

    def feed_guid(self, obj):
        return tag_uri(obj.created_at, f"project/{obj.pk}")

    def items(self, obj):
        return selectors.published_updates(obj).select_related("project__municipality")[
            :FEED_LENGTH
        ]


class MunicipalityFeed(UpdatesFeed):
    def get_object(self, request):
        municipality = current_municipality(request)
        if municipality is None:
            raise Http404
        return municipality

    def title(self, obj):
        return _("News about housing projects in %(municipality)s") % {"municipality": obj.name}

    def link(self, obj):
        return "/"

    def author_name(self, obj):
        return obj.name

    def feed_guid(self, obj):
        return tag_uri(FEEDS_SINCE, f"municipality/{obj.number}")

    def items(self, obj):
        return (
            Update.objects.filter(
                project__in=selectors.public_projects(obj),
                published_at__lte=timezone.now(),
            )
            .select_related("project__municipality")
            .order_by("-published_at")[:FEED_LENGTH]
        )


_municipality_feed = MunicipalityFeed()
_project_feed = ProjectFeed()


@public_read
def municipality_feed(request):
    return _municipality_feed(request)


@public_read
def project_feed(request, slug):
    return _project_feed(request, slug=slug)
