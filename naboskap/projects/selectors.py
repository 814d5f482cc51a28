"""Reads about projects that several pages share."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from naboskap.projects.models import Project, Update
from naboskap.tenancy.models import Municipality
from naboskap.tenancy.rules import memberships_of


def projects_for_user(user, municipality: Municipality | None = None) -> QuerySet[Project]:
    """Every project the user reaches through a municipality-wide or a project membership;
    with `municipality`, only that municipality's (staff lists: the one the user works in)."""
    reach = Q(pk__in=[])
    for m in memberships_of(user):
        if municipality is not None and m.municipality_id != municipality.pk:
            continue
        if m.project_id is None:
            reach |= Q(municipality_id=m.municipality_id)
        else:
            reach |= Q(pk=m.project_id)
    return Project.objects.filter(reach).select_related("municipality", "responsible_unit")


def public_projects(municipality: Municipality) -> QuerySet[Project]:
    return Project.objects.filter(municipality=municipality, visibility=Project.Visibility.PUBLIC)


def published_updates(project: Project) -> QuerySet[Update]:
    return project.updates.filter(published_at__lte=timezone.now()).order_by("-published_at")


def next_scheduled_update(project: Project):
    """When the next scheduled update goes public, so cached pages expire in time."""
    return (
        project.updates.filter(published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def news_held(project):
    """The news published while the project was not public, which its subscribers never got
    (`notify_subscribers` sends nothing for a project that is not public)."""
    return project.updates.filter(published_at__lte=timezone.now(), notified_at__isnull=True)
