"""Reads about inputs that the staff list and the public "Du sa – vi gjorde" page share."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from naboskap.plans.models import Input, Measure
from naboskap.projects.models import Project

# The order the public page tells decisions in: what was done first.
DECISION_ORDER = [
    Input.Decision.ADOPTED,
    Input.Decision.PARTLY_ADOPTED,
    Input.Decision.UNDER_CONSIDERATION,
    Input.Decision.NOT_ADOPTED,
]


def project_inputs(project: Project) -> QuerySet[Input]:
    """A project's inputs for the staff list, with the number of measures each led to."""
    return (
        Input.objects.filter(project=project)
        .annotate(measure_count=Count("measures"))
        .order_by("-received_on", "-pk")
    )


def counts_by(project: Project, name: str) -> dict[str, int]:
    """{value: number of the project's inputs} for one field (one query)."""
    rows = Input.objects.filter(project=project).order_by().values(name).annotate(n=Count("pk"))
    return {row[name]: row["n"] for row in rows}


def project_themes(project: Project) -> list[str]:
    themes = Input.objects.filter(project=project).exclude(theme="").values_list("theme", flat=True)
    return sorted(set(themes), key=str.lower)


def input_measures(input: Input) -> QuerySet[Measure]:
    return input.measures.select_related("owner_unit", "responsible").order_by("due_date", "pk")


def published_inputs(project: Project) -> QuerySet[Input]:
    """What the public page may show of published inputs, and of the measures they led to.

    Only public fields are loaded: never the original text, who said it, or their address.
    Of the measures, only the status, and the public text of public ones.
    """
    measures = Measure.objects.only(
        "pk", "input_id", "status", "progress", "is_public", "public_text"
    ).order_by("due_date", "pk")
    return (
        Input.objects.filter(project=project, moderation=Input.Moderation.PUBLISHED)
        .exclude(public_text="")
        .only("pk", "project_id", "theme", "public_text", "decision", "decision_reason")
        .prefetch_related(Prefetch("measures", queryset=measures))
        .order_by("theme", "-received_on", "-pk")
    )


@dataclass
class PublicMeasures:
    """What the public sees of one input's measures."""

    described: list = field(default_factory=list)  # public measures: their text and status
    others: dict = field(default_factory=dict)  # the rest: {status label: count}


def public_measures_of(input: Input) -> PublicMeasures:
    """Public measures with their text; of the others only how many there are per status,
    so that nothing internal (titles, descriptions, units, people) leaks."""
    result = PublicMeasures()
    for measure in input.measures.all():
        if measure.is_public and measure.public_text.strip():
            result.described.append(measure)
        else:
            label = str(measure.get_status_display())
            result.others[label] = result.others.get(label, 0) + 1
    return result


@dataclass
class ThemeGroup:
    theme: str
    label: str
    inputs: list = field(default_factory=list)


def group_by_theme(inputs) -> list[ThemeGroup]:
    """Themes in alphabetical order, inputs without a theme last (no queries)."""
    groups: dict[str, ThemeGroup] = {}
    for input in inputs:
        key = input.theme.strip().lower()
        label = input.theme.strip() or str(_("Other"))
        groups.setdefault(key, ThemeGroup(key, label)).inputs.append(input)
    return sorted(groups.values(), key=lambda g: (g.theme == "", g.theme))
