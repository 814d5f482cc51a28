"""Staff pages of the stakeholder register: organisations and persons, the interaction log,
the stakeholder analysis of a project, and the register as CSV and XLSX files, out and in."""

from __future__ import annotations

from functools import partial

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from naboskap.lib.breadcrumbs import link, my_projects_trail, project_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.lib.spreadsheets import CSV_TYPE, XLSX_TYPE
from naboskap.projects.access import get_project_for_user
from naboskap.projects.models import Project
from naboskap.stakeholders import rules as stakeholder_rules
from naboskap.stakeholders.models import Interaction, Organisation, Person
from naboskap.stakeholders.register import files, grid, selectors, services
from naboskap.stakeholders.register.access import (
    get_organisation_for_user,
    get_person_for_user,
)
from naboskap.stakeholders.register.forms import (
    AssessmentForm,
    ErasureForm,
    InteractionForm,
    OrganisationForm,
    PersonForm,
    RegisterFilterForm,
    RegisterImportForm,
)
from naboskap.tenancy.access import get_staff_municipality, staff_required

PER_PAGE = 25


VIEW_ORGANISATIONS = "stakeholders.view_organisations"
VIEW_PERSONS = "stakeholders.view_persons"
ADD_STAKEHOLDER = "stakeholders.add_stakeholder"


def _filtered_page(request, queryset, form):
    return Paginator(form.filter(queryset), PER_PAGE).get_page(request.GET.get("side"))


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("side", None)
    return params.urlencode()


def _entry_form(request, form, save, *, saved: str, template: str, **context) -> HttpResponse:
    """The create or edit page of an organisation or a person: `save(tags=, projects=,
    **fields)` is the service call, and its checks come back as form errors."""
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            entry = save(tags=data["tag_names"], projects=data["projects"], **data["fields"])
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, saved)
            return redirect(entry)
    return render(request, template, {"form": form, **context}, status=form_status(form))


def _organisations_trail(*more):
    """My projects › Stakeholders › …"""
    return my_projects_trail(link(_("Stakeholders"), "stakeholders:organisation_list"), *more)


def _persons_trail(*more):
    """My projects › Persons › …"""
    return my_projects_trail(link(_("Persons"), "stakeholders:person_list"), *more)


def _interactions_link(project):
    return link(_("Interaction log"), "stakeholders:interaction_list", project.pk)


# Organisations -----------------------------------------------------------------------------


@staff_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW_ORGANISATIONS)
    form = RegisterFilterForm(
        request.GET, municipality=municipality, kinds=Organisation.Kind.choices
    )
    context = {
        "municipality": municipality,
        "filter_form": form,
        "page": _filtered_page(request, selectors.organisations_in(municipality), form),
        "query": _query(request),
        "can_add": rules.has_perm("stakeholders.add_stakeholder", request.user, municipality),
        "sees_persons": rules.has_perm("stakeholders.view_persons", request.user, municipality),
    }
    return render(request, "stakeholders/organisation_list.html", context, status=form_status(form))


ORGANISATION_FORM = "stakeholders/organisation_form.html"


def _register_projects(user, municipality):
    return Project.objects.filter(
        pk__in=stakeholder_rules.register_project_ids(user, municipality.pk)
    ).order_by("name")


@staff_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, ADD_STAKEHOLDER)
    return _entry_form(
        request,
        OrganisationForm(
            posted(request),
            municipality=municipality,
            projects=_register_projects(request.user, municipality),
        ),
        partial(services.organisation_create, municipality=municipality),
        saved=_("The organisation was added to the register."),
        template=ORGANISATION_FORM,
        breadcrumbs=_organisations_trail(_("Add an organisation")),
    )


@staff_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, pk)
    municipality = organisation.municipality
    interactions = selectors.interactions_for_user(request.user, municipality).filter(
        organisations=organisation
    )
    persons = []
    if rules.has_perm("stakeholders.view_persons", request.user, municipality):
        persons = selectors.persons_for_user(request.user, municipality).filter(
            organisation=organisation
        )
    context = {
        "organisation": organisation,
        "tags": list(organisation.tags.all()),
        "projects": list(organisation.projects.order_by("name")),
        "persons": persons,
        "page": Paginator(interactions, PER_PAGE).get_page(request.GET.get("side")),
        "can_change": rules.has_perm(
            "stakeholders.change_organisation", request.user, organisation
        ),
        "breadcrumbs": _organisations_trail(organisation.name),
    }
    return render(request, "stakeholders/organisation_detail.html", context)


@staff_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, pk, "stakeholders.change_organisation")
    form = OrganisationForm(
        posted(request),
        instance=organisation,
        municipality=organisation.municipality,
        projects=_register_projects(request.user, organisation.municipality),
    )

    def save(*, projects, **fields):
        # Links to projects outside the user's scope stay as they were.
        offered = set(form.fields["projects"].queryset.values_list("pk", flat=True))
        kept = [p for p in organisation.projects.all() if p.pk not in offered]
        return services.organisation_edit(
            organisation=organisation, projects=projects + kept, **fields
        )

    return _entry_form(
        request,
        form,
        save,
        saved=_("The organisation was saved."),
        template=ORGANISATION_FORM,
        organisation=organisation,
        breadcrumbs=_organisations_trail(to(organisation), _("Edit organisation")),
    )


# Persons -----------------------------------------------------------------------------------


@staff_required
def person_list(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW_PERSONS)
    form = RegisterFilterForm(request.GET, municipality=municipality, kinds=Person.Kind.choices)
    context = {
        "municipality": municipality,
        "filter_form": form,
        "page": _filtered_page(
            request, selectors.persons_for_user(request.user, municipality), form
        ),
        "query": _query(request),
        "can_add": rules.has_perm("stakeholders.add_stakeholder", request.user, municipality),
    }
    return render(request, "stakeholders/person_list.html", context, status=form_status(form))


def _team_projects(user, municipality):
    return Project.objects.filter(
        pk__in=stakeholder_rules.team_project_ids(user, municipality.pk)
    ).order_by("name")


PERSON_FORM = "stakeholders/person_form.html"


@staff_required
def person_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW_PERSONS, ADD_STAKEHOLDER)
    form = PersonForm(
        posted(request),
        municipality=municipality,
        projects=_team_projects(request.user, municipality),
    )
    return _entry_form(
        request,
        form,
        partial(services.person_create, municipality=municipality),
        saved=_("The person was added to the register."),
        template=PERSON_FORM,
        breadcrumbs=_persons_trail(_("Add a person")),
    )


@staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    interactions = selectors.interactions_for_user(request.user, person.municipality).filter(
        persons=person
    )
    context = {
        "person": person,
        "tags": list(person.tags.all()),
        "projects": sorted(person.projects.all(), key=lambda p: p.name),
        "page": Paginator(interactions, PER_PAGE).get_page(request.GET.get("side")),
        "can_change": rules.has_perm("stakeholders.change_person", request.user, person),
        "breadcrumbs": _persons_trail(person.name),
    }
    return render(request, "stakeholders/person_detail.html", context)


@staff_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, "stakeholders.change_person")
    form = PersonForm(
        posted(request),
        instance=person,
        municipality=person.municipality,
        projects=_team_projects(request.user, person.municipality),
    )

    def save(*, projects, **fields):
        # Links to projects outside the user's teams stay as they were.
        offered = set(form.fields["projects"].queryset.values_list("pk", flat=True))
        kept = [p for p in person.projects.all() if p.pk not in offered]
        return services.person_edit(person=person, projects=projects + kept, **fields)

    return _entry_form(
        request,
        form,
        save,
        saved=_("The person was saved."),
        template=PERSON_FORM,
        person=person,
        breadcrumbs=_persons_trail(to(person, person.name), _("Edit person")),
    )


@staff_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, "stakeholders.erase_person")
    form = ErasureForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            log = services.person_erase(
                person=person, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(
                request,
                ngettext(
                    "The person was erased. %(count)s interaction was kept without them; "
                    "the erasure is logged.",
                    "The person was erased. %(count)s interactions were kept without them; "
                    "the erasure is logged.",
                    log.interactions_kept,
                )
                % {"count": log.interactions_kept},
            )
            return redirect("stakeholders:person_list")
    context = {
        "person": person,
        "form": form,
        "interaction_count": person.interactions.count(),
        "breadcrumbs": _persons_trail(
            to(person, person.name), _("Erase %(name)s") % {"name": person.name}
        ),
    }
    return render(request, "stakeholders/person_erase.html", context, status=form_status(form))


# Interactions ------------------------------------------------------------------------------


@staff_required
def interaction_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "stakeholders.view_interactions")
    interactions = selectors.timeline(Interaction.objects.filter(project=project))
    context = {
        "project": project,
        "page": Paginator(interactions, PER_PAGE).get_page(request.GET.get("side")),
        "can_log": rules.has_perm("stakeholders.log_interaction", request.user, project),
        "breadcrumbs": project_trail(project, _("Interaction log")),
    }
    return render(request, "stakeholders/interaction_list.html", context)


def _interaction_form(request, project) -> InteractionForm:
    return InteractionForm(
        posted(request),
        organisations=selectors.organisations_in(project.municipality).prefetch_related(None),
        persons=selectors.persons_for_user(request.user, project.municipality).prefetch_related(
            None
        ),
    )


@staff_required
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "stakeholders.log_interaction")
    form = _interaction_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            interaction = services.interaction_log(
                project=project, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            if interaction.needs_follow_up:
                messages.success(
                    request,
                    _("The interaction was logged, and a follow-up measure is on the plan."),
                )
            else:
                messages.success(request, _("The interaction was logged."))
            return redirect("stakeholders:interaction_list", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "breadcrumbs": project_trail(project, _interactions_link(project), _("Log an interaction")),
    }
    return render(request, "stakeholders/interaction_form.html", context, status=form_status(form))


@staff_required
def interaction_detail(request: HttpRequest, pk: int, interaction_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "stakeholders.view_interactions")
    interaction = get_object_or_404(
        selectors.timeline(Interaction.objects.all()), pk=interaction_pk, project=project
    )
    return render(
        request,
        "stakeholders/interaction_detail.html",
        {
            "project": project,
            "interaction": interaction,
            "breadcrumbs": project_trail(
                project,
                _interactions_link(project),
                f"{date_format(interaction.occurred_on, 'DATE_FORMAT')}: "
                f"{interaction.get_channel_display()}",
            ),
        },
    )


# Stakeholder analysis ----------------------------------------------------------------------


def _analysis_page(request, project, form=None) -> HttpResponse:
    latest = selectors.latest_assessments(project)
    history = selectors.assessment_history(project)
    can_assess = rules.has_perm("stakeholders.assess_stakeholder", request.user, project)
    if form is None and can_assess:
        form = _assessment_form(request, project, bound=False)
    context = {
        "project": project,
        "latest": latest,
        "grid": grid.build(latest),
        "page": Paginator(history, PER_PAGE).get_page(request.GET.get("side")),
        "form": form,
        "can_assess": can_assess,
        "breadcrumbs": project_trail(project, _("Stakeholder analysis")),
    }
    return render(
        request,
        "stakeholders/analysis.html",
        context,
        status=form_status(form) if form is not None else 200,
    )


def _assessment_form(request, project, *, bound=True) -> AssessmentForm:
    return AssessmentForm(
        posted(request) if bound else None,
        organisations=selectors.organisations_in(project.municipality).prefetch_related(None),
        persons=selectors.persons_for_user(request.user, project.municipality).prefetch_related(
            None
        ),
    )


@staff_required
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "stakeholders.view_analysis")
    return _analysis_page(request, project)


@staff_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "stakeholders.assess_stakeholder")
    if request.method != "POST":
        return redirect("stakeholders:analysis", pk=project.pk)
    form = _assessment_form(request, project)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("stakeholder")
        try:
            services.assessment_add(
                project=project, created_by=request.user, **data, **form.stakeholder_kwargs()
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect("stakeholders:analysis", pk=project.pk)
    return _analysis_page(request, project, form)


KINDS = {"organisasjoner": "organisations", "personer": "persons"}


@staff_required
def register_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    if KINDS[kind] == "organisations":
        municipality = get_staff_municipality(request, VIEW_ORGANISATIONS)
        rows = files.organisation_rows(selectors.organisations_in(municipality))
    else:
        municipality = get_staff_municipality(request, VIEW_PERSONS)
        persons = (
            selectors.persons_for_user(request.user, municipality)
            .select_related("organisation")
            .prefetch_related("tags", "projects")
            .order_by("name", "pk")
        )
        rows = files.person_rows(persons)
    response = HttpResponse(
        files.export(rows, fmt), content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE
    )
    filename = f"{kind}-{municipality.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def register_import(request: HttpRequest) -> HttpResponse:
    """Export links for the municipality's staff; the import form for those who add to the
    register."""
    municipality = get_staff_municipality(request, VIEW_ORGANISATIONS)
    can_import = rules.has_perm("stakeholders.import_register", request.user, municipality)
    if request.method == "POST" and not can_import:
        raise PermissionDenied
    form = RegisterImportForm(posted(request), request.FILES or None)
    report, status = None, form_status(form)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = files.register_import(
                municipality=municipality,
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                filename=upload.name,
                encoding=form.cleaned_data["encoding"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except files.FileProblem as exc:
            show_error(request, exc, form, field="file")
            status = 400
        else:
            status = 200
    context = {
        "municipality": municipality,
        "form": form,
        "report": report,
        "organisation_columns": [h for h, _n in files.ORGANISATION_COLUMNS],
        "person_columns": [h for h, _n in files.PERSON_COLUMNS],
        "sees_persons": rules.has_perm("stakeholders.view_persons", request.user, municipality),
        "title": _("Import and export the register"),
        "can_import": can_import,
    }
    return render(request, "stakeholders/register_import.html", context, status=status)
