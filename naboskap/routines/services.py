"""Operations on routines and project checklists. Views, the admin and the demo call these.

A published routine never changes: `routine_new_version` makes an editable draft copy that
supersedes it, and publishing that draft retires the version before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from naboskap.lib.errors import DomainError
from naboskap.projects.models import Project
from naboskap.routines import schema, selectors, shipped
from naboskap.routines.models import (
    ProjectMilestone,
    ProjectRoutine,
    ProjectTask,
    Routine,
    RoutineMilestone,
    RoutinePhase,
    RoutineTask,
)
from naboskap.tenancy.models import Municipality


class RoutineError(DomainError):
    """An operation that cannot be done; the message is for the user, and `problems` list
    what stands in the way."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def _require_draft(routine: Routine) -> None:
    if routine.status != Routine.Status.DRAFT:
        raise RoutineError(
            _(
                "Version %(version)s of this routine is published and cannot be changed. "
                "Make a new version to edit it."
            )
            % {"version": routine.version}
        )


def _locked(routine: Routine) -> Routine:
    locked = Routine.objects.select_for_update().get(pk=routine.pk)
    routine.status = locked.status
    return locked


def _next_version(municipality: Municipality | None, slug: str, at_least: int = 0) -> int:
    same = Routine.objects.filter(municipality=municipality, slug=slug)
    return max(same.aggregate(v=Max("version"))["v"] or 0, at_least) + 1


def _free_slug(municipality: Municipality | None, name: str) -> str:
    base = slugify(name)[:70] or "rutine"
    slug, n = base, 1
    while Routine.objects.filter(municipality=municipality, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# -- Routine templates ------------------------------------------------------------------------


@transaction.atomic
def routine_create(
    *, municipality: Municipality | None, created_by, name: str, description: str = ""
) -> Routine:
    routine = Routine(
        municipality=municipality,
        slug=_free_slug(municipality, name),
        name=name,
        description=description,
        created_by=created_by,
    )
    routine.full_clean()
    routine.save()
    return routine


@transaction.atomic
def routine_edit(
    *,
    routine: Routine,
    name: str,
    description: str,
    milestones: list[tuple[str, str]] | None = None,
) -> Routine:
    """Change a draft's name, description and own milestones ([(key, name)])."""
    locked = _locked(routine)
    _require_draft(locked)
    routine.name, routine.description = name, description
    routine.full_clean()
    routine.save(update_fields=["name", "description"])
    if milestones is not None:
        keys = [key for key, _name in milestones]
        used = set(
            RoutineTask.objects.filter(
                phase__routine=routine,
                anchor_milestone__in=set(
                    routine.milestones.exclude(key__in=keys).values_list("key", flat=True)
                ),
            ).values_list("anchor_milestone", flat=True)
        )
        if used:
            raise RoutineError(
                _("Tasks count from the milestone %s; change those tasks before removing it.")
                % ", ".join(sorted(used))
            )
        routine.milestones.exclude(key__in=keys).delete()
        for key, milestone_name in milestones:
            RoutineMilestone.objects.update_or_create(
                routine=routine, key=key, defaults={"name": milestone_name}
            )
    return routine


@transaction.atomic
def routine_phase_save(*, routine: Routine, phase: RoutinePhase) -> RoutinePhase:
    """Add or change a phase. A new phase goes last; orders stay 1, 2, 3…"""
    _require_draft(_locked(routine))
    phase.routine = routine
    if phase.pk is None:
        phase.order = (routine.phases.aggregate(o=Max("order"))["o"] or 0) + 1
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def routine_phase_move(*, phase: RoutinePhase, to_order: int) -> None:
    """Move a phase to another place, keeping the numbers 1, 2, 3…"""
    _require_draft(_locked(phase.routine))
    _move(phase.routine.phases.all(), phase, to_order)


@transaction.atomic
def routine_task_move(*, task: RoutineTask, to_order: int) -> None:
    """Move a task to another place within its phase."""
    _require_draft(_locked(task.phase.routine))
    _move(task.phase.tasks.all(), task, to_order)


def _move(siblings, item, to_order: int) -> None:
    items = [x for x in siblings.order_by("order", "pk") if x.pk != item.pk]
    to_order = max(1, min(to_order, len(items) + 1))
    items.insert(to_order - 1, item)
    _renumber(items)


def _renumber(items: list) -> None:
    """Number phases or tasks 1, 2, 3… in the given order. Two passes, so the unique
    (routine, order) constraint of phases holds after each update."""
    model = type(items[0]) if items else None
    for i, x in enumerate(items, start=1):
        model.objects.filter(pk=x.pk).update(order=1000 + i)
    for i, x in enumerate(items, start=1):
        x.order = i
        model.objects.filter(pk=x.pk).update(order=i)


@transaction.atomic
def routine_phase_delete(*, phase: RoutinePhase) -> None:
    routine = phase.routine
    _require_draft(_locked(routine))
    phase.delete()
    _renumber(list(routine.phases.order_by("order")))


@transaction.atomic
def routine_task_save(*, phase: RoutinePhase, task: RoutineTask) -> RoutineTask:
    _require_draft(_locked(phase.routine))
    task.phase = phase
    if task.pk is None:
        task.order = (phase.tasks.aggregate(o=Max("order"))["o"] or 0) + 1
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def routine_task_delete(*, task: RoutineTask) -> None:
    _require_draft(_locked(task.phase.routine))
    task.delete()


@transaction.atomic
def routine_delete(*, routine: Routine) -> None:
    """Only a draft that no project follows can go."""
    _require_draft(_locked(routine))
    routine.delete()


@transaction.atomic
def routine_publish(*, routine: Routine) -> Routine:
    """Check the draft and publish it; the version published before it is retired."""
    locked = _locked(routine)
    _require_draft(locked)
    problems = schema.structure_problems(schema.routine_to_data(routine)["routine"])
    if problems:
        raise RoutineError(_("The routine cannot be published yet."), problems)
    Routine.objects.filter(
        municipality=routine.municipality_id, slug=routine.slug, status=Routine.Status.PUBLISHED
    ).update(status=Routine.Status.RETIRED)
    routine.status = Routine.Status.PUBLISHED
    routine.published_at = timezone.now()
    routine.save(update_fields=["status", "published_at"])
    return routine


@transaction.atomic
def routine_retire(*, routine: Routine) -> None:
    """A retired routine is no longer offered to projects; those that follow it keep their tasks."""
    locked = _locked(routine)
    if locked.status != Routine.Status.PUBLISHED:
        raise RoutineError(_("Only a published routine can be retired."))
    routine.status = Routine.Status.RETIRED
    routine.save(update_fields=["status"])


@transaction.atomic
def routine_new_version(*, routine: Routine, municipality: Municipality, created_by) -> Routine:
    """An editable draft copy of a published or retired routine, in `municipality`.

    A copy of a shipped routine becomes the municipality's own. If a draft of the same routine
    is already waiting, that draft is returned instead of a second one.
    """
    waiting = Routine.objects.filter(
        municipality=municipality, slug=routine.slug, status=Routine.Status.DRAFT
    ).first()
    if waiting is not None:
        return waiting
    data = schema.routine_to_data(routine)["routine"]
    return _create_from_data(
        data,
        municipality=municipality,
        created_by=created_by,
        version=_next_version(municipality, routine.slug, at_least=routine.version),
        supersedes=routine,
    )


@transaction.atomic
def routine_import(
    *, data: dict, municipality: Municipality | None, created_by, publish: bool = False
) -> Routine:
    """Create a draft from checked exchange data (`schema.parse_data`).

    If the municipality already has the routine (same slug), the import becomes its next
    version; nothing existing is changed.
    """
    latest = (
        Routine.objects.filter(municipality=municipality, slug=data["slug"])
        .order_by("-version")
        .first()
    )
    routine = _create_from_data(
        data,
        municipality=municipality,
        created_by=created_by,
        version=_next_version(municipality, data["slug"]),
        supersedes=latest,
    )
    if publish:
        routine_publish(routine=routine)
    return routine


def _create_from_data(
    data: dict, *, municipality, created_by, version: int, supersedes: Routine | None
) -> Routine:
    routine = Routine(
        municipality=municipality,
        slug=data["slug"],
        name=data["name"],
        description=data.get("description", ""),
        version=version,
        supersedes=supersedes,
        created_by=created_by,
    )
    routine.full_clean()
    routine.save()
    RoutineMilestone.objects.bulk_create(
        RoutineMilestone(routine=routine, key=m["key"], name=m["name"])
        for m in data.get("milestones", [])
    )
    for phase_data in sorted(data["phases"], key=lambda p: p["order"]):
        phase = RoutinePhase.objects.create(
            routine=routine,
            order=phase_data["order"],
            name=phase_data["name"],
            project_phase=phase_data["project_phase"],
        )
        RoutineTask.objects.bulk_create(
            RoutineTask(
                phase=phase,
                order=i,
                title=task["title"],
                guidance=task.get("guidance", ""),
                responsible_role=task["responsible_role"],
                anchor_phase=task["anchor"].get("phase", ""),
                anchor_milestone=task["anchor"].get("milestone", ""),
                offset_days=task["offset_days"],
            )
            for i, task in enumerate(phase_data["tasks"], start=1)
        )
    return routine


# -- Routines in projects ---------------------------------------------------------------------


@dataclass
class ApplyReport:
    """What applying a routine found: tasks moved to the project's first day, tasks that wait
    for a date."""

    project_routine: ProjectRoutine
    created: int = 0
    moved: list[ProjectTask] = field(default_factory=list)
    undated: int = 0


@transaction.atomic
def project_routine_apply(*, project: Project, routine: Routine, applied_by) -> ApplyReport:
    """Copy a published routine's tasks into the project's checklist."""
    Project.objects.select_for_update().get(pk=project.pk)
    if routine.status != Routine.Status.PUBLISHED:
        raise RoutineError(_("Only a published routine can be applied to a project."))
    if routine.municipality_id not in (None, project.municipality_id):
        raise RoutineError(_("This routine belongs to another municipality."))
    # Any version of the routine, shipped or the municipality's copy: tasks would repeat.
    if ProjectRoutine.objects.filter(project=project, routine__slug=routine.slug).exists():
        raise RoutineError(_("The project already follows this routine."))
    applied = ProjectRoutine.objects.create(project=project, routine=routine, applied_by=applied_by)
    names = dict(routine.milestones.values_list("key", "name"))
    tasks = []
    for task in RoutineTask.objects.filter(phase__routine=routine).select_related("phase"):
        tasks.append(
            ProjectTask(
                project=project,
                project_routine=applied,
                routine_task=task,
                phase_order=task.phase.order,
                phase_name=task.phase.name,
                project_phase=task.phase.project_phase,
                order=task.order,
                title=task.title,
                guidance=task.guidance,
                responsible_role=task.responsible_role,
                anchor_phase=task.anchor_phase,
                anchor_milestone=task.anchor_milestone,
                anchor_name=names.get(task.anchor_milestone, ""),
                offset_days=task.offset_days,
            )
        )
    ProjectTask.objects.bulk_create(tasks)
    selectors.attach_due_dates(tasks, selectors.anchors_for(project))
    return ApplyReport(
        project_routine=applied,
        created=len(tasks),
        moved=[t for t in tasks if t.due_by_routine is not None],
        undated=sum(1 for t in tasks if t.due is None),
    )


@transaction.atomic
def project_milestones_set(*, project: Project, dates: dict[str, tuple[str, date | None]]) -> None:
    """Set or clear milestone dates ({key: (name, date or None)})."""
    for key, (name, when) in dates.items():
        if when is None:
            ProjectMilestone.objects.filter(project=project, key=key).delete()
        else:
            ProjectMilestone.objects.update_or_create(
                project=project, key=key, defaults={"name": name, "date": when}
            )


@transaction.atomic
def project_task_complete(
    *,
    task: ProjectTask,
    status: str,
    by,
    evidence_update=None,
    evidence_measure=None,
    evidence_meeting=None,
    evidence_analysis=None,
    evidence_note: str = "",
    evidence_url: str = "",
) -> ProjectTask:
    """Mark a task done or not relevant with what shows it, or open it again."""
    locked = ProjectTask.objects.select_for_update().get(pk=task.pk)
    for obj in (evidence_update, evidence_measure, evidence_meeting, evidence_analysis):
        if obj is not None and obj.project_id != locked.project_id:
            raise RoutineError(_("The evidence must belong to the same project."))
    task.status = status
    task.evidence_update = evidence_update
    task.evidence_measure = evidence_measure
    task.evidence_meeting = evidence_meeting
    task.evidence_analysis = evidence_analysis
    task.evidence_note = evidence_note
    task.evidence_url = evidence_url
    if status == ProjectTask.Status.OPEN:
        task.completed_at, task.completed_by = None, None
    elif locked.status != status or locked.completed_at is None:
        task.completed_at, task.completed_by = timezone.now(), by
    task.full_clean()
    task.save()
    return task


def routine_content(routine: Routine) -> dict:
    """What a routine says, without its version: equal for equal routines."""
    data = schema.routine_to_data(routine)["routine"]
    data.pop("version")
    return data


@transaction.atomic
def routines_load_shipped() -> list[Routine]:
    """Publish the routines shipped with Naboskap; a changed one as its next version.

    Running it again changes nothing. Returns the routines it published.
    """
    published = []
    for content in shipped.SHIPPED:
        data = schema.parse_data(shipped.exchange_data(content))
        latest = (
            Routine.objects.filter(municipality__isnull=True, slug=data["slug"])
            .exclude(status=Routine.Status.DRAFT)
            .order_by("-version")
            .first()
        )
        if latest is not None and routine_content(latest) == data:
            continue
        published.append(
            routine_import(data=data, municipality=None, created_by=None, publish=True)
        )
    return published
