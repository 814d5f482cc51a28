"""Reads about the action plan that several pages (and the PDF, XLSX and emails) share."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.plans.models import SOURCE_FIELDS, Measure, Participation
from naboskap.projects.models import Project
from naboskap.projects.selectors import projects_for_user
from naboskap.tenancy.models import Unit
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import recipients_by_language

OPEN_STATUSES = [Measure.Status.PLANNED, Measure.Status.IN_PROGRESS]
GROUPINGS = ["source", "unit"]


def overdue_filter() -> Q:
    """Measures past their due date that are neither done nor cancelled."""
    return Q(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())


def with_related(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """What every list of measures shows: owner, responsible person, source, units."""
    return measures.select_related(
        "project", "owner_unit", "responsible", *SOURCE_FIELDS
    ).prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("unit").order_by("unit__name"),
        )
    )


def in_work_order(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """Measures still to do first, the earliest due date first (those without one after
    them, on SQLite as on PostgreSQL); then done and cancelled ones."""
    finished = Case(
        When(status__in=[Measure.Status.DONE, Measure.Status.CANCELLED], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return measures.order_by(finished, F("due_date").asc(nulls_last=True), "pk")


def plan_measures(project: Project) -> QuerySet[Measure]:
    return in_work_order(with_related(Measure.objects.filter(project=project)))


def involving_unit(unit: Unit) -> Q:
    """Measures the unit owns or takes part in."""
    return Q(owner_unit=unit) | Q(
        pk__in=Participation.objects.filter(unit=unit).values("measure_id")
    )


def measures_for_user(user, municipality=None) -> QuerySet[Measure]:
    """Measures that one of the user's units owns or takes part in, in projects they reach
    (of `municipality` only, when given)."""
    unit_ids = {
        m.unit_id
        for m in memberships_of(user)
        if m.unit_id is not None and (municipality is None or m.municipality_id == municipality.pk)
    }
    involved = Q(owner_unit_id__in=unit_ids) | Q(
        pk__in=Participation.objects.filter(unit_id__in=unit_ids).values("measure_id")
    )
    reachable = projects_for_user(user, municipality).values("pk")
    return with_related(Measure.objects.filter(involved, project__in=reachable))


def public_measures(project: Project) -> QuerySet[Measure]:
    """What the public project page shows: only the public text and the status."""
    return (
        Measure.objects.filter(project=project, is_public=True)
        .exclude(public_text="")
        .only("pk", "project_id", "public_text", "status", "progress", "due_date")
        .order_by("due_date", "pk")
    )


def unit_recipients_by_language(unit: Unit) -> dict[str, list[str]]:
    """Whom to tell about a unit's measures: its shared address, else its lead, else its
    members; grouped by the language to write in (a person's own, the municipality's for the
    shared address)."""
    if unit.email:
        return recipients_by_language([], unit.municipality, [unit.email])
    if unit.lead is not None and unit.lead.email and unit.lead.is_active:
        return recipients_by_language([unit.lead], unit.municipality)
    users = get_user_model().objects.filter(memberships__unit=unit, is_active=True)
    return recipients_by_language(users.select_related("naboskap_profile"), unit.municipality)


@dataclass
class Group:
    key: str
    label: str
    measures: list = field(default_factory=list)


def source_label(name: str) -> str:
    if not name:
        return str(_("No source"))
    return str(Measure._meta.get_field(name).verbose_name).capitalize()


def group_measures(measures, by: str) -> list[Group]:
    """The plan's sections: by source (in SOURCE_FIELDS' order, then none) or by owner unit
    (by name). Works on the loaded measures: no queries."""
    groups: dict[str, Group] = {}
    if by == "unit":
        for measure in measures:
            unit = measure.owner_unit
            key = f"unit-{unit.pk}"
            groups.setdefault(key, Group(key, unit.name)).measures.append(measure)
        return sorted(groups.values(), key=lambda g: g.label.lower())
    order = [*SOURCE_FIELDS, ""]
    for name in order:
        groups[name or "none"] = Group(f"source-{name or 'none'}", source_label(name))
    for measure in measures:
        groups[measure.source_field or "none"].measures.append(measure)
    return [g for g in groups.values() if g.measures]


def source_text(measure: Measure) -> str:
    """A short label of where a measure came from, for tables and exports."""
    return f"{measure.source_label}: {measure.source_name}" if measure.source_field else ""
