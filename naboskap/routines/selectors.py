"""Reads shared by the routine pages, and how a task's due date follows from its anchor.

Due dates are derived when a page reads the tasks, never stored (ADR 0011): a phase starts
when the project entered it (`PhaseChange`), or else when it is planned to (`PlannedPhase`);
a milestone on the date set for the project (`ProjectMilestone`). A task whose anchor has no
date yet has no due date; it gets one as soon as the project plans that phase or dates that
milestone. A date before the project existed moves to the project's first day, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from naboskap.projects.models import Phase, PhaseChange, PlannedPhase, Project
from naboskap.routines.models import Milestone, ProjectMilestone, ProjectTask, Routine
from naboskap.tenancy.rules import memberships_of

# Open tasks due within this many days count as "due soon".
DUE_SOON_DAYS = 14


def routines_for_user(user, municipality=None) -> QuerySet[Routine]:
    """The shipped routines and those of every municipality the user has a role in (only
    `municipality`'s, when given: the one the user works in)."""
    municipalities = {
        m.municipality_id
        for m in memberships_of(user)
        if municipality is None or m.municipality_id == municipality.pk
    }
    return Routine.objects.filter(
        Q(municipality__isnull=True) | Q(municipality__in=municipalities)
    ).select_related("municipality")


def published_routines_for(project: Project) -> QuerySet[Routine]:
    """Routines a project can follow: published, shipped or the project's municipality's."""
    return Routine.objects.filter(
        Q(municipality__isnull=True) | Q(municipality=project.municipality_id),
        status=Routine.Status.PUBLISHED,
    ).order_by("municipality_id", "name")


@dataclass
class Anchors:
    """The known dates a project's deadlines count from."""

    project_start: date
    phases: dict[str, date] = field(default_factory=dict)
    planned: set[str] = field(default_factory=set)
    milestones: dict[str, date] = field(default_factory=dict)

    def date_of(self, task) -> date | None:
        if task.anchor_phase:
            return self.phases.get(task.anchor_phase)
        return self.milestones.get(task.anchor_milestone)


def anchors_for(project: Project) -> Anchors:
    """Three small queries, whatever the number of tasks."""
    return anchors_for_projects([project])[project.pk]


def anchors_for_projects(projects) -> dict[int, Anchors]:
    """`anchors_for` of many projects at once: three queries, whatever their number."""
    ids = [p.pk for p in projects]
    changes: dict[int, list] = {}
    for project_id, phase, when in (
        PhaseChange.objects.filter(project_id__in=ids)
        .order_by("changed_at", "pk")
        .values_list("project_id", "to_phase", "changed_at")
    ):
        changes.setdefault(project_id, []).append((phase, when))
    planned: dict[int, list] = {}
    for project_id, phase, start in PlannedPhase.objects.filter(project_id__in=ids).values_list(
        "project_id", "phase", "planned_start"
    ):
        planned.setdefault(project_id, []).append((phase, start))
    milestones: dict[int, list] = {}
    for project_id, key, when in ProjectMilestone.objects.filter(project_id__in=ids).values_list(
        "project_id", "key", "date"
    ):
        milestones.setdefault(project_id, []).append((key, when))
    found = {}
    for project in projects:
        own = changes.get(project.pk, [])
        created = timezone.localtime(project.created_at).date()
        first = timezone.localtime(own[0][1]).date() if own else created
        anchors = Anchors(project_start=min(created, first))
        anchors.phases[Phase.IDEA] = anchors.project_start
        for phase, start in planned.get(project.pk, []):
            anchors.phases[phase] = start
            anchors.planned.add(phase)
        entered = set()
        for phase, when in own:
            if phase not in entered:  # the first time the project entered the phase counts
                entered.add(phase)
                anchors.phases[phase] = timezone.localtime(when).date()
                anchors.planned.discard(phase)
        for key, when in milestones.get(project.pk, []):
            anchors.milestones[key] = when
        found[project.pk] = anchors
    return found


def attach_due_dates(tasks, anchors: Anchors, today: date | None = None) -> None:
    """Set `due`, `due_by_routine` (the routine's own date when it was moved), `planned`,
    `overdue` and `due_soon` on each task."""
    today = today or timezone.localdate()
    for task in tasks:
        start = anchors.date_of(task)
        task.due_by_routine = None
        task.planned = bool(task.anchor_phase and task.anchor_phase in anchors.planned)
        if start is None:
            task.due = None
        else:
            due = start + timedelta(days=task.offset_days)
            if due < anchors.project_start:
                task.due_by_routine, due = due, anchors.project_start
            task.due = due
        task.overdue = task.is_open and task.due is not None and task.due < today
        task.due_soon = (
            task.is_open
            and task.due is not None
            and today <= task.due <= today + timedelta(days=DUE_SOON_DAYS)
        )


def anchor_label(task) -> str:
    """“Start of the phase Planning” or the milestone's name."""
    if task.anchor_phase:
        return str(Phase(task.anchor_phase).label)
    if task.anchor_milestone in Milestone.values:
        return str(Milestone(task.anchor_milestone).label)
    return task.anchor_name or task.anchor_milestone


@dataclass
class ChecklistPhase:
    order: int
    name: str
    project_phase: str
    key: str = ""
    routine_name: str = ""
    tasks: list = field(default_factory=list)

    @property
    def project_phase_label(self) -> str:
        return str(Phase(self.project_phase).label)

    @property
    def dom_id(self) -> str:
        return f"phase-{self.key}-progress"

    @property
    def total(self) -> int:
        return len(self.tasks)

    @property
    def closed(self) -> int:
        """Done, or decided not to be relevant."""
        return sum(1 for t in self.tasks if not t.is_open)

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


@dataclass
class Checklist:
    phases: list[ChecklistPhase]
    anchors: Anchors | None

    @property
    def tasks(self) -> list:
        return [t for phase in self.phases for t in phase.tasks]

    @property
    def routine_names(self) -> list[str]:
        return list(dict.fromkeys(p.routine_name for p in self.phases))

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)

    @property
    def closed(self) -> int:
        return sum(p.closed for p in self.phases)

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0

    @property
    def overdue(self) -> list:
        return sorted((t for t in self.tasks if t.overdue), key=lambda t: t.due)

    @property
    def due_soon(self) -> list:
        return sorted((t for t in self.tasks if t.due_soon), key=lambda t: t.due)

    @property
    def undated(self) -> int:
        return sum(1 for t in self.tasks if t.is_open and t.due is None)


def checklist_for(project: Project, *, with_evidence: bool = True) -> Checklist:
    """The project's tasks grouped by routine phase, with due dates."""
    tasks = (
        ProjectTask.objects.filter(project=project)
        .select_related("project_routine__routine")
        .order_by("project_routine_id", "phase_order", "order", "pk")
    )
    if with_evidence:
        tasks = tasks.select_related(
            "evidence_update",
            "evidence_measure",
            "evidence_meeting",
            "evidence_analysis",
            "completed_by",
        )
    task_list = list(tasks)
    if not task_list:  # a project without a routine costs one query
        return Checklist(phases=[], anchors=None)
    anchors = anchors_for(project)
    phases: dict[tuple, ChecklistPhase] = {}
    attach_due_dates(task_list, anchors)
    for task in task_list:
        key = (task.project_routine_id, task.phase_order)
        if key not in phases:
            phases[key] = ChecklistPhase(
                task.phase_order,
                task.phase_name,
                task.project_phase,
                key=f"{task.project_routine_id}-{task.phase_order}",
                routine_name=task.project_routine.routine.name,
            )
        phases[key].tasks.append(task)
    return Checklist(phases=list(phases.values()), anchors=anchors)


def milestones_in_use(project: Project) -> list[tuple[str, str]]:
    """(key, name) of every milestone the project's tasks count from, in a stable order."""
    rows = (
        ProjectTask.objects.filter(project=project)
        .exclude(anchor_milestone="")
        .values_list("anchor_milestone", "anchor_name")
        .order_by()
        .distinct()
    )
    names = {}
    for key, name in rows:
        names[key] = str(Milestone(key).label) if key in Milestone.values else (name or key)
    return sorted(names.items(), key=lambda item: item[1])
