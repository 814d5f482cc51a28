"""Atom feeds of published updates: one per project and one for all of a municipality's."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from naboskap.portal.views import current_municipality, get_public_project, public_read
from naboskap.projects import selectors
from naboskap.projects.models import Update

FEED_LENGTH = 30


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

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

    def items(self, obj):
        return selectors.published_updates(obj).select_related("project")[:FEED_LENGTH]


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

    def items(self, obj):
        return (
            Update.objects.filter(
                project__in=selectors.public_projects(obj),
                published_at__lte=timezone.now(),
            )
            .select_related("project")
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
