"""Caretaker rounds and the facility's incident log, under /app/prosjekter/<pk>/.

Made for a phone first: one task per page, big buttons, and every form works without
JavaScript.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.concerns.forms import ConcernMeasureForm
from naboskap.facility import selectors, services
from naboskap.facility.access import (
    get_incident_for_user,
    get_observation_for_user,
    get_round_for_user,
)
from naboskap.facility.forms import (
    AllCalmForm,
    EndRoundForm,
    FollowUpForm,
    IncidentForm,
    IncidentStatusForm,
    ObservationForm,
)
from naboskap.facility.models import Incident
from naboskap.lib.breadcrumbs import link, my_projects_trail, project_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.projects.access import get_project_for_user
from naboskap.tenancy.access import get_staff_municipality, staff_required

PER_PAGE = 25


@staff_required
def my_rounds(request: HttpRequest) -> HttpResponse:
    """Where a caretaker starts: the projects they walk rounds in."""
    projects = selectors.round_projects_for_user(request.user, get_staff_municipality(request))
    if not projects:
        raise PermissionDenied
    context = {"projects": projects, "breadcrumbs": my_projects_trail(_("Rounds"))}
    return render(request, "facility/my_rounds.html", context)


def _rounds_link(project):
    return link(_("Rounds"), "facility:round_list", project.pk)


def _incidents_link(project):
    return link(_("Incident log"), "facility:incident_list", project.pk)


def _round_label(found) -> str:
    started = date_format(timezone.localtime(found.started_at), "SHORT_DATETIME_FORMAT")
    return f"{_('Round')} {started}"


@staff_required
def round_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "facility.walk_rounds")
    rounds = selectors.rounds_of(project)
    page = Paginator(rounds, PER_PAGE).get_page(request.GET.get("side"))
    context = {
        "project": project,
        "page": page,
        "under_way": selectors.rounds_of(project)
        .filter(started_by=request.user, ended_at__isnull=True)
        .first(),
        "sees_incidents": rules.has_perm("facility.view_incidents", request.user, project),
        "breadcrumbs": project_trail(project, _("Rounds")),
    }
    return render(request, "facility/round_list.html", context)


@require_POST
@staff_required
def round_start(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "facility.walk_rounds")
    started, created = services.round_start(project=project, by=request.user)
    if created:
        messages.success(request, _("The round has started."))
    else:
        messages.info(request, _("You already have a round under way. Carry on with it."))
    return redirect(started)


def _round_context(request, found, **forms) -> dict:
    return {
        "project": found.project,
        "round": found,
        "observations": found.observations.select_related("created_by", "concern"),
        "calm_form": forms.get("calm_form") or AllCalmForm(),
        "end_form": forms.get("end_form") or EndRoundForm(),
        "breadcrumbs": project_trail(
            found.project, _rounds_link(found.project), _round_label(found)
        ),
    }


@staff_required
def round_detail(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    found = get_round_for_user(request.user, pk, round_pk)
    return render(request, "facility/round_detail.html", _round_context(request, found))


@require_POST
@staff_required
def round_end(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    found = get_round_for_user(request.user, pk, round_pk)
    form = EndRoundForm(posted(request))
    if form.is_valid():
        try:
            services.round_end(round=found, by=request.user, note=form.cleaned_data["note"])
        except services.FacilityError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The round has ended. Thank you."))
            return redirect("facility:round_list", found.project_id)
    context = _round_context(request, found, end_form=form)
    return render(request, "facility/round_detail.html", context, status=400)


@require_POST
@staff_required
def round_all_calm(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    found = get_round_for_user(request.user, pk, round_pk)
    form = AllCalmForm(posted(request))
    if form.is_valid():
        try:
            services.observation_all_calm(
                round=found, by=request.user, place=form.cleaned_data["place"]
            )
        except services.FacilityError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Logged: all calm."))
            return redirect(found)
    context = _round_context(request, found, calm_form=form)
    return render(request, "facility/round_detail.html", context, status=400)


@staff_required
def observation_create(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    found = get_round_for_user(request.user, pk, round_pk)
    data = posted(request)
    form = ObservationForm(data, request.FILES if data is not None else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_log(round=found, by=request.user, **form.cleaned_data)
        except services.FacilityError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The observation was logged."))
            return redirect(found)
    elif request.method == "GET" and not found.is_open:
        messages.info(request, _("This round has ended. Start a new round to log what you see."))
        return redirect(found)
    context = {
        "project": found.project,
        "round": found,
        "form": form,
        "breadcrumbs": project_trail(
            found.project,
            _rounds_link(found.project),
            to(found, _round_label(found)),
            _("Log an observation"),
        ),
    }
    return render(request, "facility/observation_form.html", context, status=form_status(form))


@staff_required
def observation_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "facility.walk_rounds")
    page = Paginator(selectors.observations_of(project), PER_PAGE).get_page(request.GET.get("side"))
    context = {
        "project": project,
        "page": page,
        "breadcrumbs": project_trail(project, _rounds_link(project), _("Observations")),
    }
    return render(request, "facility/observation_list.html", context)


def _observation_context(request, observation, measure_form=None) -> dict:
    project = observation.project
    can_plan = rules.has_perm("plans.change_plan", request.user, project)
    return {
        "project": project,
        "observation": observation,
        "measures": observation.measures.select_related("owner_unit"),
        "can_plan": can_plan,
        "measure_form": measure_form
        or (ConcernMeasureForm(municipality=project.municipality) if can_plan else None),
        "breadcrumbs": project_trail(
            project,
            _rounds_link(project),
            _("All calm") if observation.all_calm else observation.get_category_display(),
        ),
    }


@staff_required
def observation_detail(request: HttpRequest, pk: int, observation_pk: int) -> HttpResponse:
    observation = get_observation_for_user(request.user, pk, observation_pk)
    context = _observation_context(request, observation)
    return render(request, "facility/observation_detail.html", context)


@staff_required
def observation_photo(request: HttpRequest, pk: int, observation_pk: int) -> FileResponse:
    """The observation's photo, for those who may see the observation: never cached."""
    observation = get_observation_for_user(request.user, pk, observation_pk)
    if not observation.photo:
        raise Http404
    try:
        file = observation.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, content_type=observation.photo_content_type or "image/jpeg")
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required
def observation_concern(request: HttpRequest, pk: int, observation_pk: int) -> HttpResponse:
    observation = get_observation_for_user(request.user, pk, observation_pk)
    try:
        concern = services.observation_to_concern(observation=observation, by=request.user)
    except services.FacilityError as error:
        show_error(request, error)
        context = _observation_context(request, observation)
        return render(request, "facility/observation_detail.html", context, status=400)
    messages.success(
        request,
        _("The observation is now concern %(reference)s.") % {"reference": concern.reference},
    )
    return redirect(observation)


@require_POST
@staff_required
def observation_measure(request: HttpRequest, pk: int, observation_pk: int) -> HttpResponse:
    observation = get_observation_for_user(request.user, pk, observation_pk, "plans.change_plan")
    form = ConcernMeasureForm(posted(request), municipality=observation.project.municipality)
    if form.is_valid():
        try:
            measure = services.observation_to_measure(
                observation=observation, by=request.user, **form.cleaned_data
            )
        except services.FacilityError as error:
            show_error(request, error, form)
        else:
            messages.success(
                request,
                _("The measure “%(title)s” is on the project's plan.") % {"title": measure.title},
            )
            return redirect(observation)
    context = _observation_context(request, observation, measure_form=form)
    return render(request, "facility/observation_detail.html", context, status=400)


@staff_required
def incident_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "facility.view_incidents")
    incidents = selectors.incidents_of(project)
    status = request.GET.get("status", "")
    if status in Incident.Status.values:
        incidents = incidents.filter(status=status)
    else:
        status = ""
    page = Paginator(incidents, PER_PAGE).get_page(request.GET.get("side"))
    context = {
        "project": project,
        "page": page,
        "status": status,
        "statuses": Incident.Status.choices,
        "query": f"status={status}" if status else "",
        "can_log": rules.has_perm("facility.log_incidents", request.user, project),
        "breadcrumbs": project_trail(project, _("Incident log")),
    }
    return render(request, "facility/incident_list.html", context)


@staff_required
def incident_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "facility.log_incidents")
    form = IncidentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        incident = services.incident_log(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("The incident was logged."))
        return redirect(incident)
    context = {
        "project": project,
        "form": form,
        "breadcrumbs": project_trail(project, _incidents_link(project), _("Log an incident")),
    }
    return render(request, "facility/incident_form.html", context, status=form_status(form))


def _incident_context(request, incident, **forms) -> dict:
    can_log = rules.has_perm("facility.log_incidents", request.user, incident.project)
    return {
        "project": incident.project,
        "incident": incident,
        "follow_ups": incident.follow_ups.select_related("created_by"),
        "history": incident.history.select_related("changed_by"),
        "can_log": can_log,
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "status_form": forms.get("status_form") or IncidentStatusForm(incident=incident),
        "breadcrumbs": project_trail(
            incident.project,
            _incidents_link(incident.project),
            incident.get_category_display(),
        ),
    }


@staff_required
def incident_detail(request: HttpRequest, pk: int, incident_pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, incident_pk)
    return render(request, "facility/incident_detail.html", _incident_context(request, incident))


@require_POST
@staff_required
def incident_follow_up(request: HttpRequest, pk: int, incident_pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, incident_pk, "facility.log_incidents")
    form = FollowUpForm(posted(request))
    if form.is_valid():
        try:
            services.follow_up_add(incident=incident, by=request.user, **form.cleaned_data)
        except services.FacilityError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The follow-up was added."))
            return redirect(incident)
    context = _incident_context(request, incident, follow_up_form=form)
    return render(request, "facility/incident_detail.html", context, status=400)


@require_POST
@staff_required
def incident_status(request: HttpRequest, pk: int, incident_pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, incident_pk, "facility.log_incidents")
    form = IncidentStatusForm(posted(request), incident=incident)
    if form.is_valid():
        try:
            services.incident_set_status(incident=incident, by=request.user, **form.cleaned_data)
        except services.FacilityError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The status was changed."))
            return redirect(incident)
    context = _incident_context(request, incident, status_form=form)
    return render(request, "facility/incident_detail.html", context, status=400)
