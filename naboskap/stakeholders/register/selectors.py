"""Reads about the stakeholder register that several pages (and search) share."""

from django.db.models import Prefetch, QuerySet

from naboskap.plans.models import Measure
from naboskap.projects.models import Project
from naboskap.stakeholders import rules as stakeholder_rules
from naboskap.stakeholders.models import (
    Assessment,
    Interaction,
    Organisation,
    Person,
)
from naboskap.tenancy.models import Municipality


def organisations_in(municipality: Municipality) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(municipality=municipality)
        .prefetch_related("tags", "projects")
        .order_by("name", "pk")
    )


def persons_for_user(user, municipality: Municipality) -> QuerySet[Person]:
    """The persons the user may see: all of them for the municipality's administrators and
    coordinators, else those linked to a project whose team the user is on."""
    persons = Person.objects.filter(municipality=municipality)
    if not stakeholder_rules.runs_register(user, municipality.pk):
        team = stakeholder_rules.team_project_ids(user, municipality.pk)
        persons = persons.filter(
            pk__in=Person.projects.through.objects.filter(project__in=team).values("person")
        )
    return (
        persons.select_related("organisation")
        .prefetch_related("tags", "projects")
        .order_by("name", "pk")
    )


def interactions_for_user(user, municipality: Municipality) -> QuerySet[Interaction]:
    """Interactions in the projects whose team the user is on."""
    team = stakeholder_rules.team_project_ids(user, municipality.pk)
    return timeline(Interaction.objects.filter(project__in=team))


def timeline(interactions: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Newest first, with what a timeline row shows (a constant number of queries)."""
    return (
        interactions.select_related("project", "created_by")
        .prefetch_related(
            Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
            Prefetch("persons", queryset=Person.objects.order_by("name")),
            Prefetch(
                "measures",
                queryset=Measure.objects.only("pk", "project_id", "title", "interaction_id"),
            ),
        )
        .order_by("-occurred_on", "-pk")
    )


def latest_assessments(project: Project) -> list[Assessment]:
    """Each stakeholder's latest assessment in the project, by name, with the one before it
    as `previous` (or None)."""
    latest: dict[tuple, Assessment] = {}
    for assessment in (
        Assessment.objects.filter(project=project)
        .select_related("organisation", "person")
        .order_by("-assessed_on", "-pk")
    ):
        key = (assessment.organisation_id, assessment.person_id)
        if key not in latest:
            assessment.previous = None
            latest[key] = assessment
        elif latest[key].previous is None:
            latest[key].previous = assessment  # the one before, to show the change
    return sorted(latest.values(), key=lambda a: str(a.stakeholder).casefold())


def assessment_history(project: Project) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(project=project)
        .select_related("organisation", "person", "created_by")
        .order_by("-assessed_on", "-pk")
    )
