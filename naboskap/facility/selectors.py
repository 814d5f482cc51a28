"""Reads the round and incident pages share."""

import rules
from django.db.models import Count, Q, QuerySet

from naboskap.facility.models import Incident, Observation, Round
from naboskap.projects.models import Project
from naboskap.projects.selectors import projects_for_user


def rounds_of(project: Project) -> QuerySet[Round]:
    """The project's rounds, newest first, with who walked them and what they logged."""
    return (
        Round.objects.filter(project=project)
        .select_related("started_by")
        .annotate(
            observation_count=Count("observations", filter=Q(observations__all_calm=False)),
            calm_count=Count("observations", filter=Q(observations__all_calm=True)),
        )
        .order_by("-started_at", "-pk")
    )


def observations_of(project: Project) -> QuerySet[Observation]:
    return Observation.objects.filter(project=project).select_related(
        "created_by", "concern", "round"
    )


def incidents_of(project: Project) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(project=project)
        .select_related("created_by")
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("-occurred_at", "-pk")
    )


def round_projects_for_user(user, municipality=None) -> list[Project]:
    """The projects where the user walks rounds (a caretaker's own project, say), of
    `municipality` only when given."""
    return [
        project
        for project in projects_for_user(user, municipality).order_by("municipality__name", "name")
        if rules.has_perm("facility.walk_rounds", user, project)
    ]
