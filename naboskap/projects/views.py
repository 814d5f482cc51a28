"""Staff pages for projects, under /app/. Every view fetches through projects.access."""

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.breadcrumbs import link, my_projects_trail, project_trail
from naboskap.lib.http import form_status, posted
from naboskap.projects import selectors, services
from naboskap.projects.access import get_project_for_user
from naboskap.projects.forms import (
    ContactPointForm,
    PhaseForm,
    PlannedPhasesForm,
    ProjectForm,
    UpdateForm,
)
from naboskap.projects.models import ContactPoint, Update
from naboskap.tenancy.access import get_staff_municipality, staff_required

UPDATES_PER_PAGE = 25


@staff_required
def my_projects(request: HttpRequest) -> HttpResponse:
    """The projects of the municipality the user works in (see tenancy.selectors)."""
    municipality = get_staff_municipality(request)
    projects = selectors.projects_for_user(request.user, municipality).order_by("name")
    can_create = rules.has_perm("projects.add_project", request.user, municipality)
    return render(
        request, "projects/my_projects.html", {"projects": projects, "can_create": can_create}
    )


@staff_required
def project_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, "projects.add_project")
    form = ProjectForm(posted(request), municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("participating_units")
        project = services.project_create(
            municipality=municipality, created_by=request.user, participating_units=units, **data
        )
        messages.success(request, _("The project was created."))
        return redirect(project)
    context = {
        "form": form,
        "project": None,
        "breadcrumbs": my_projects_trail(_("New project")),
    }
    return render(request, "projects/project_form.html", context, status=form_status(form))


@staff_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    # The page's key figures (insights/project_home.py) read the planned phases too.
    prefetch_related_objects([project], "planned_phases")
    context = {
        "project": project,
        "can_change": rules.has_perm("projects.change_project", request.user, project),
        "can_write": rules.has_perm("projects.write_update", request.user, project),
        "phase_changes": project.phase_changes.select_related("changed_by"),
        "planned_phases": project.planned_phases.all(),
        "contact_points": project.contact_points.all(),
        "participating_units": project.participating_units.all(),
        "updates": project.updates.select_related("author")[:10],
        "breadcrumbs": my_projects_trail(project.name),
    }
    return render(request, "projects/project_detail.html", context)


@staff_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.change_project")
    form = ProjectForm(
        posted(request),
        instance=project,
        municipality=project.municipality,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("participating_units")
        send_held = data.pop("send_held_news", True)
        services.project_edit(
            project=project, participating_units=units, send_held_news=send_held, **data
        )
        messages.success(request, _("The project was saved."))
        return redirect(project)
    context = {
        "form": form,
        "project": project,
        "breadcrumbs": project_trail(project, _("Edit project")),
    }
    return render(request, "projects/project_form.html", context, status=form_status(form))


@staff_required
def project_phase(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.change_project")
    phase_form = PhaseForm(
        request.POST if "change_phase" in request.POST else None, project=project
    )
    plan_form = PlannedPhasesForm(
        request.POST if "plan_phases" in request.POST else None, project=project
    )
    if phase_form.is_bound and phase_form.is_valid():
        services.project_change_phase(
            project=project,
            to_phase=phase_form.cleaned_data["to_phase"],
            changed_by=request.user,
            note=phase_form.cleaned_data["note"],
        )
        messages.success(request, _("The phase was changed."))
        return redirect(project)
    if plan_form.is_bound and plan_form.is_valid():
        services.project_plan_phases(project=project, planned=plan_form.cleaned_data)
        messages.success(request, _("The planned dates were saved."))
        return redirect(project)
    context = {
        "project": project,
        "phase_form": phase_form,
        "plan_form": plan_form,
        "breadcrumbs": project_trail(project, _("Phase")),
    }
    status = form_status(phase_form, plan_form)
    return render(request, "projects/project_phase.html", context, status=status)


@staff_required
def update_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    updates = project.updates.select_related("author")
    page = Paginator(updates, UPDATES_PER_PAGE).get_page(request.GET.get("side"))
    context = {
        "project": project,
        "breadcrumbs": project_trail(project, _("Updates")),
        "page": page,
        "can_write": rules.has_perm("projects.write_update", request.user, project),
    }
    return render(request, "projects/update_list.html", context)


@staff_required
def update_edit(request: HttpRequest, pk: int, update_pk: int | None = None) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.write_update")
    update = get_object_or_404(Update, pk=update_pk, project=project) if update_pk else None
    form = UpdateForm(posted(request), instance=update)
    if request.method == "POST" and form.is_valid():
        services.update_save(project=project, update=form.instance, author=request.user)
        messages.success(request, _("The update was saved."))
        return redirect("projects:updates", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "update": update,
        "breadcrumbs": project_trail(
            project,
            link(_("Updates"), "projects:updates", project.pk),
            _("Edit update") if update else _("Write an update"),
        ),
    }
    return render(request, "projects/update_form.html", context, status=form_status(form))


@require_POST
@staff_required
def update_delete(request: HttpRequest, pk: int, update_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.write_update")
    services.update_delete(update=get_object_or_404(Update, pk=update_pk, project=project))
    messages.success(request, _("The update was deleted."))
    return redirect("projects:updates", pk=project.pk)


@staff_required
def contact_point_edit(request: HttpRequest, pk: int, cp_pk: int | None = None) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.change_project")
    contact_point = get_object_or_404(ContactPoint, pk=cp_pk, project=project) if cp_pk else None
    form = ContactPointForm(posted(request), instance=contact_point)
    if request.method == "POST" and form.is_valid():
        services.contact_point_save(project=project, contact_point=form.instance)
        messages.success(request, _("The contact point was saved."))
        return redirect(project)
    context = {
        "project": project,
        "form": form,
        "contact_point": contact_point,
        "breadcrumbs": project_trail(
            project, _("Edit contact point") if contact_point else _("Add a contact point")
        ),
    }
    return render(request, "projects/contact_point_form.html", context, status=form_status(form))


@require_POST
@staff_required
def contact_point_delete(request: HttpRequest, pk: int, cp_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "projects.change_project")
    contact_point = get_object_or_404(ContactPoint, pk=cp_pk, project=project)
    services.contact_point_delete(contact_point=contact_point)
    messages.success(request, _("The contact point was deleted."))
    return redirect(project)
