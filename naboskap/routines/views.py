"""Staff pages for routine templates (/app/rutiner/) and a project's checklist
(/app/prosjekter/<pk>/oppgaver/). Every view fetches through an access helper."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from naboskap.lib.breadcrumbs import link, project_trail, section_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.projects.access import get_project_for_user
from naboskap.routines import schema, selectors, services
from naboskap.routines.access import get_project_task_for_user, get_routine_for_user
from naboskap.routines.forms import (
    ApplyRoutineForm,
    ImportForm,
    MilestoneDatesForm,
    RoutineForm,
    RoutinePhaseForm,
    RoutineTaskForm,
    TaskCompleteForm,
)
from naboskap.routines.models import Routine, RoutinePhase, RoutineTask
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.rules import roles_for


def _routines_trail(*more) -> list:
    """My projects › Routines › …"""
    return section_trail(_("Routines"), "routines:list", *more)


def _checklist_link(project):
    return link(_("Checklist"), "routines:checklist", project.pk)


ADD_ROUTINE = "routines.add_routine"


def _can_write(request: HttpRequest) -> bool:
    """Whether the user writes routines in the municipality they work in."""
    return rules.has_perm(ADD_ROUTINE, request.user, get_staff_municipality(request))


def _open_draft(request: HttpRequest, pk: int) -> tuple[Routine, HttpResponse | None]:
    """The routine for an editing page, and the redirect to show instead when it is not a
    draft (a published version is told to make a new one)."""
    routine = get_routine_for_user(request.user, pk, "routines.change_routine")
    if routine.is_draft:
        return routine, None
    messages.warning(
        request, _("A published routine cannot be changed. Make a new version to edit it.")
    )
    return routine, redirect(routine)


# -- Routine templates ------------------------------------------------------------------------


@staff_required
def routine_list(request: HttpRequest) -> HttpResponse:
    routines = selectors.routines_for_user(request.user, get_staff_municipality(request)).order_by(
        "municipality__name", "name", "-version"
    )
    can_add = _can_write(request)
    context = {"routines": routines, "can_add": can_add, "breadcrumbs": _routines_trail()}
    return render(request, "routines/routine_list.html", context)


@staff_required
def routine_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, ADD_ROUTINE)
    form = RoutineForm(posted(request))
    if request.method == "POST" and form.is_valid():
        routine = services.routine_create(
            municipality=municipality,
            created_by=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )
        services.routine_edit(
            routine=routine,
            name=routine.name,
            description=routine.description,
            milestones=form.cleaned_data["milestones"],
        )
        messages.success(request, _("The routine was created as a draft. Add its phases."))
        return redirect(routine)
    context = {"form": form, "routine": None, "breadcrumbs": _routines_trail(_("New routine"))}
    return render(request, "routines/routine_form.html", context, status=form_status(form))


@staff_required
def routine_import(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, ADD_ROUTINE)
    form = ImportForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        routine = services.routine_import(
            data=form.cleaned_data["file"], municipality=municipality, created_by=request.user
        )
        messages.success(
            request,
            _("The routine was imported as a draft, version %(version)s. Check it and publish it.")
            % {"version": routine.version},
        )
        return redirect(routine)
    context = {"form": form, "breadcrumbs": _routines_trail(_("Import a routine"))}
    return render(request, "routines/routine_import.html", context, status=form_status(form))


def _routine_context(request: HttpRequest, routine: Routine, **extra) -> dict:
    phases = routine.phases.prefetch_related(
        Prefetch("tasks", queryset=RoutineTask.objects.order_by("order", "pk"))
    )
    milestones = list(routine.milestones.all())
    names = {m.key: m.name for m in milestones}
    for phase in phases:  # the routine's own milestones are named in each task's due rule
        for task in phase.tasks.all():
            task.anchor_name = names.get(task.anchor_milestone, "")
    versions = Routine.objects.filter(
        municipality=routine.municipality_id, slug=routine.slug
    ).order_by("-version")
    can_copy = routine.status != Routine.Status.DRAFT and _can_write(request)
    return {
        "routine": routine,
        "phases": phases,
        "milestones": milestones,
        "versions": versions,
        "can_change": rules.has_perm("routines.change_routine", request.user, routine),
        "can_copy": can_copy,
        "projects_following": routine.applications.count(),
        "breadcrumbs": _routines_trail(routine.name),
        **extra,
    }


@staff_required
def routine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    routine = get_routine_for_user(request.user, pk)
    return render(request, "routines/routine_detail.html", _routine_context(request, routine))


@staff_required
def routine_edit(request: HttpRequest, pk: int) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    form = RoutineForm(posted(request), instance=routine)
    if request.method == "POST" and form.is_valid():
        try:
            services.routine_edit(
                routine=routine,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                milestones=form.cleaned_data["milestones"],
            )
        except services.RoutineError as error:
            show_error(request, error, form, field="milestones")
        else:
            messages.success(request, _("The routine was saved."))
            return redirect(routine)
    context = {
        "form": form,
        "routine": routine,
        "breadcrumbs": _routines_trail(to(routine), _("Edit routine")),
    }
    return render(request, "routines/routine_form.html", context, status=form_status(form))


@require_POST
@staff_required
def routine_publish(request: HttpRequest, pk: int) -> HttpResponse:
    routine = get_routine_for_user(request.user, pk, "routines.change_routine")
    try:
        services.routine_publish(routine=routine)
    except services.RoutineError as error:
        context = _routine_context(request, routine, error=error)
        return render(request, "routines/routine_detail.html", context, status=400)
    messages.success(request, _("Version %(version)s is published.") % {"version": routine.version})
    return redirect(routine)


@require_POST
@staff_required
def routine_retire(request: HttpRequest, pk: int) -> HttpResponse:
    routine = get_routine_for_user(request.user, pk, "routines.change_routine")
    try:
        services.routine_retire(routine=routine)
    except services.RoutineError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("The routine is retired. Projects that follow it keep their tasks.")
        )
    return redirect(routine)


@require_POST
@staff_required
def routine_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    routine = get_routine_for_user(request.user, pk)
    municipality = (
        routine.municipality
        if routine.municipality
        else get_staff_municipality(request, ADD_ROUTINE)
    )
    if not rules.has_perm(ADD_ROUTINE, request.user, municipality):
        raise PermissionDenied
    if routine.is_draft:
        messages.info(request, _("This version is a draft: edit it directly."))
        return redirect(routine)
    draft = services.routine_new_version(
        routine=routine, municipality=municipality, created_by=request.user
    )
    messages.success(
        request,
        _("Version %(version)s is a draft you can edit.") % {"version": draft.version},
    )
    return redirect(draft)


@require_POST
@staff_required
def routine_delete(request: HttpRequest, pk: int) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    services.routine_delete(routine=routine)
    messages.success(request, _("The draft was deleted."))
    return redirect("routines:list")


@staff_required
def routine_export(request: HttpRequest, pk: int) -> HttpResponse:
    routine = get_routine_for_user(request.user, pk)
    response = HttpResponse(
        schema.routine_to_json(routine), content_type="application/json; charset=utf-8"
    )
    filename = f"{routine.slug}-v{routine.version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def phase_edit(request: HttpRequest, pk: int, phase_pk: int | None = None) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    phase = get_object_or_404(RoutinePhase, pk=phase_pk, routine=routine) if phase_pk else None
    form = RoutinePhaseForm(posted(request), instance=phase, routine=routine)
    if request.method == "POST" and form.is_valid():
        services.routine_phase_save(routine=routine, phase=form.instance)
        messages.success(request, _("The phase was saved."))
        return redirect(routine)
    context = {
        "form": form,
        "routine": routine,
        "phase": phase,
        "breadcrumbs": _routines_trail(to(routine), _("Edit phase") if phase else _("New phase")),
    }
    return render(request, "routines/phase_form.html", context, status=form_status(form))


@require_POST
@staff_required
def phase_delete(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    services.routine_phase_delete(
        phase=get_object_or_404(RoutinePhase, pk=phase_pk, routine=routine)
    )
    messages.success(request, _("The phase and its tasks were deleted."))
    return redirect(routine)


@require_POST
@staff_required
def phase_move(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    phase = get_object_or_404(RoutinePhase, pk=phase_pk, routine=routine)
    services.routine_phase_move(phase=phase, to_order=phase.order + _step(request))
    messages.success(request, _("The phase was moved."))
    return redirect(routine)


def _step(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@staff_required
def task_edit(
    request: HttpRequest, pk: int, phase_pk: int | None = None, task_pk: int | None = None
) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    if task_pk:
        task = get_object_or_404(
            RoutineTask.objects.select_related("phase"), pk=task_pk, phase__routine=routine
        )
        phase = task.phase
    else:
        task = None
        phase = get_object_or_404(RoutinePhase, pk=phase_pk, routine=routine)
    form = RoutineTaskForm(posted(request), instance=task, routine=routine)
    if request.method == "POST" and form.is_valid():
        services.routine_task_save(phase=phase, task=form.instance)
        messages.success(request, _("The task was saved."))
        return redirect(routine)
    context = {
        "form": form,
        "routine": routine,
        "phase": phase,
        "task": task,
        "breadcrumbs": _routines_trail(to(routine), _("Edit task") if task else _("New task")),
    }
    return render(request, "routines/task_form.html", context, status=form_status(form))


@require_POST
@staff_required
def task_move(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    task = get_object_or_404(RoutineTask, pk=task_pk, phase__routine=routine)
    services.routine_task_move(task=task, to_order=task.order + _step(request))
    messages.success(request, _("The task was moved."))
    return redirect(routine)


@require_POST
@staff_required
def task_delete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    routine, refused = _open_draft(request, pk)
    if refused:
        return refused
    task = get_object_or_404(RoutineTask, pk=task_pk, phase__routine=routine)
    services.routine_task_delete(task=task)
    messages.success(request, _("The task was deleted."))
    return redirect(routine)


# -- A project's routines and checklist -------------------------------------------------------


@staff_required
def project_routine(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a routine for the project; its tasks join the checklist with dates."""
    project = get_project_for_user(request.user, pk, "projects.change_project")
    form = ApplyRoutineForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.project_routine_apply(
                project=project, routine=form.cleaned_data["routine"], applied_by=request.user
            )
        except services.RoutineError as error:
            show_error(request, error, form, field="routine")
        else:
            messages.success(
                request,
                ngettext(
                    "The routine added %(count)s task to the checklist.",
                    "The routine added %(count)s tasks to the checklist.",
                    report.created,
                )
                % {"count": report.created},
            )
            if report.moved:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s task would be due before the project existed. It is due "
                        "from the project's first day instead; the checklist shows the "
                        "routine's own date beside it.",
                        "%(count)s tasks would be due before the project existed. They are "
                        "due from the project's first day instead; the checklist shows the "
                        "routine's own date beside each.",
                        len(report.moved),
                    )
                    % {"count": len(report.moved)},
                )
            if report.undated:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s task gets its due date when the project plans its phase or "
                        "dates its milestone.",
                        "%(count)s tasks get their due dates when the project plans their "
                        "phases or dates their milestones.",
                        report.undated,
                    )
                    % {"count": report.undated},
                )
            return redirect("routines:checklist", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "applied": project.routines.select_related("routine", "applied_by"),
        "breadcrumbs": project_trail(project, _checklist_link(project), _("Choose a routine")),
    }
    return render(request, "routines/project_routine.html", context, status=form_status(form))


def _checklist_page(request: HttpRequest, project, milestone_form=None, status=200):
    checklist = selectors.checklist_for(project)
    can_change = rules.has_perm("projects.change_project", request.user, project)
    if milestone_form is None and can_change:
        milestone_form = MilestoneDatesForm(
            project=project, milestones=selectors.milestones_in_use(project)
        )
    # Who may complete: those who change the project, or hold the task's role in it.
    roles = roles_for(request.user, project.municipality_id, project.pk)
    for task in checklist.tasks:
        task.project = project
        task.can_complete = can_change or task.responsible_role in roles
    context = {
        "project": project,
        "checklist": checklist,
        "can_change": can_change,
        "milestone_form": milestone_form,
        "breadcrumbs": project_trail(project, _("Checklist")),
    }
    return render(request, "routines/checklist.html", context, status=status)


@staff_required
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "routines.view_checklist")
    return _checklist_page(request, project)


@require_POST
@staff_required
def milestones(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.change_project")
    form = MilestoneDatesForm(
        request.POST, project=project, milestones=selectors.milestones_in_use(project)
    )
    if not form.is_valid():
        return _checklist_page(request, project, milestone_form=form, status=400)
    services.project_milestones_set(project=project, dates=form.dates())
    messages.success(request, _("The milestone dates were saved."))
    return redirect("routines:checklist", pk=project.pk)


@staff_required
def task_complete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    task = get_project_task_for_user(request.user, pk, task_pk, "routines.complete_task")
    project = task.project
    form = TaskCompleteForm(posted(request), instance=task, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.project_task_complete(
            task=task,
            status=data["status"],
            by=request.user,
            evidence_update=data["evidence_update"],
            evidence_measure=data["evidence_measure"],
            evidence_meeting=data["evidence_meeting"],
            evidence_analysis=data["evidence_analysis"],
            evidence_note=data["evidence_note"],
            evidence_url=data["evidence_url"],
        )
        messages.success(request, _("The task was saved."))
        return redirect("routines:checklist", pk=project.pk)
    selectors.attach_due_dates([task], selectors.anchors_for(project))
    context = {
        "project": project,
        "task": task,
        "form": form,
        "can_plan": rules.has_perm("plans.change_plan", request.user, project),
        "breadcrumbs": project_trail(project, _checklist_link(project), task.title),
    }
    return render(request, "routines/task_complete.html", context, status=form_status(form))
