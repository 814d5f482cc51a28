"""Staff pages: a project's place and process analysis (versions, PDF) and the invitation
letters to its neighbour list."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link, project_trail
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.maps.layers import map_spec, place_picker, point
from naboskap.projects.access import get_project_for_user
from naboskap.stakeholders.documents import LETTER_RUN, PLACE
from naboskap.stakeholders.models import LetterTemplate, NeighbourList, PlaceAnalysis
from naboskap.stakeholders.places import services
from naboskap.stakeholders.places.forms import (
    LetterRunForm,
    LetterTemplateForm,
    ObjectionThemeForm,
    PlaceTextForm,
    ProcessEventForm,
    SensitiveSiteForm,
)
from naboskap.stakeholders.places.selectors import analysis_context
from naboskap.tenancy.access import staff_required

VIEW = "stakeholders.view_place_analysis"
CHANGE = "stakeholders.change_place_analysis"
ITEM_FORMS = {"site": SensitiveSiteForm, "event": ProcessEventForm, "theme": ObjectionThemeForm}
ITEM_ADDED = {
    "site": gettext_lazy("The place was added."),
    "event": gettext_lazy("The event was added to the timeline."),
    "theme": gettext_lazy("The theme was added."),
}


def site_picker(project, *, assets: bool = True) -> dict:
    """The map on the form that adds a sensitive place: a click marks it."""
    centre = services.site_of(project)
    features = [point(*centre, label=project.name)] if centre else []
    return map_spec(
        "site",
        label=_("Map: click where the sensitive place is"),
        features=features,
        centre=centre,
        picker=place_picker(
            "site", latitude_field="site-latitude", longitude_field="site-longitude"
        ),
        assets=assets,
    )


def _page(request, project, *, status=200, **forms) -> HttpResponse:
    analysis = services.current_analysis(project)
    can_change = rules.has_perm(CHANGE, request.user, project)
    context = analysis_context(project, analysis)
    context["can_change"] = can_change
    context["versions"] = list(
        project.place_analyses.select_related("published_by").order_by("-version")
    )
    if can_change:
        text_initial = (
            {name: getattr(analysis, name) for name in services.TEXT_FIELDS} if analysis else None
        )
        context["text_form"] = forms.get("text") or PlaceTextForm(initial=text_initial)
        for kind, form_class in ITEM_FORMS.items():
            context[f"{kind}_form"] = forms.get(kind) or form_class(prefix=kind)
        context["site_picker"] = site_picker(project, assets="map" not in context)
    context["breadcrumbs"] = project_trail(project, _("Place and process analysis"))
    return render(request, "stakeholders/place_analysis.html", context, status=status)


@staff_required
def place_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, VIEW)
    return _page(request, project)


@require_POST
@staff_required
def place_text(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    form = PlaceTextForm(posted(request))
    if form.is_valid():
        try:
            analysis = services.place_analysis_edit(
                project=project, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(
                request, _("Version %(version)s was saved.") % {"version": analysis.version}
            )
            return redirect("stakeholders:place_analysis", pk=project.pk)
    return _page(request, project, text=form, status=form_status(form))


@require_POST
@staff_required
def place_item_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    if kind not in ITEM_FORMS:
        raise Http404
    form = ITEM_FORMS[kind](posted(request), prefix=kind)
    if form.is_valid():
        fields = (
            form.service_fields() if hasattr(form, "service_fields") else dict(form.cleaned_data)
        )
        try:
            services.place_item_add(project=project, by=request.user, item=kind, **fields)
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, ITEM_ADDED[kind])
            return redirect("stakeholders:place_analysis", pk=project.pk)
    return _page(request, project, status=form_status(form), **{kind: form})


@require_POST
@staff_required
def place_item_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    if kind not in ITEM_FORMS:
        raise Http404
    try:
        services.place_item_delete(project=project, by=request.user, item=kind, item_pk=item_pk)
    except services.ITEM_MODELS[kind].DoesNotExist:
        raise Http404 from None
    messages.success(request, _("It was removed from the analysis."))
    return redirect("stakeholders:place_analysis", pk=project.pk)


@require_POST
@staff_required
def place_publish(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    try:
        analysis = services.place_analysis_publish(project=project, by=request.user)
    except ValidationError as exc:
        show_error(request, exc)
        return _page(request, project, status=400)
    messages.success(
        request,
        _("Version %(version)s is approved. Changes from now on go into a new version.")
        % {"version": analysis.version},
    )
    return redirect("stakeholders:place_analysis", pk=project.pk)


def _version(request, pk: int, version: int):
    project = get_project_for_user(request.user, pk, VIEW)
    analysis = get_object_or_404(
        PlaceAnalysis.objects.select_related("published_by", "created_by"),
        project=project,
        version=version,
    )
    return project, analysis


@staff_required
def place_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    project, analysis = _version(request, pk, version)
    context = analysis_context(project, analysis)
    context["latest"] = services.current_analysis(project)
    context["breadcrumbs"] = project_trail(
        project,
        link(_("Place and process analysis"), "stakeholders:place_analysis", project.pk),
        _("Place and process analysis, version %(version)s") % {"version": analysis.version},
    )
    return render(request, "stakeholders/place_version.html", context)


@staff_required
def place_pdf(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """The version as PDF: stored and current, or prepared by the worker while the page
    waits (see `documents`)."""
    project, analysis = _version(request, pk, version)
    analysis.project = project
    version_page = reverse("stakeholders:place_version", args=[project.pk, analysis.version])
    return downloads.download(
        request,
        kind=PLACE,
        obj=analysis,
        back_url=version_page,
        back_label=_("Place and process analysis, version %(version)s")
        % {"version": analysis.version},
        breadcrumbs=project_trail(
            project,
            link(_("Place and process analysis"), "stakeholders:place_analysis", project.pk),
            _("PDF"),
        ),
    )


# Invitation letters -------------------------------------------------------------------------

SEND = "stakeholders.send_letters"


def _letters_page(request, project, *, form=None, status=200) -> HttpResponse:
    neighbour_list = NeighbourList.objects.filter(project=project).first()
    templates = services.letter_templates_for(project).select_related("project")
    meetings = project.meetings.filter(cancelled_at__isnull=True).order_by("-starts_at")
    context = {
        "project": project,
        "neighbour_list": neighbour_list,
        "templates": list(templates),
        "form": form or LetterRunForm(meetings=meetings, templates=templates),
        "has_meetings": meetings.exists(),
        "count": neighbour_list.entries.filter(removed=False).count() if neighbour_list else 0,
        "breadcrumbs": project_trail(
            project,
            link(_("Neighbour list"), "stakeholders:neighbour_list", project.pk),
            _("Invitation letters"),
        ),
    }
    return render(request, "stakeholders/letters.html", context, status=status)


@staff_required
def letters(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: choose a meeting and a template. POST: the letters, logged, handed to the
    worker; then the page where they can be downloaded when ready."""
    project = get_project_for_user(request.user, pk, SEND)
    if request.method != "POST":
        return _letters_page(request, project)
    meetings = project.meetings.filter(cancelled_at__isnull=True)
    templates = services.letter_templates_for(project)
    form = LetterRunForm(posted(request), meetings=meetings, templates=templates)
    neighbour_list = NeighbourList.objects.filter(project=project).first()
    if neighbour_list is None:
        form.is_valid()
        form.add_error(None, _("Compute the neighbour list first: it has no addresses yet."))
    if form.is_valid():
        try:
            token, _interaction = services.letters_send(
                neighbour_list=neighbour_list,
                template=form.cleaned_data["template"],
                meeting=form.cleaned_data["meeting"],
                by=request.user,
                language=translation.get_language(),
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            return redirect("stakeholders:letters_run", pk=project.pk, token=token)
    return _letters_page(request, project, form=form, status=form_status(form))


@staff_required
def letters_run(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The letters of a run being prepared by the worker, part by part as they are ready,
    for the one who asked for them."""
    project = get_project_for_user(request.user, pk, SEND)
    return downloads.run(
        request,
        kind=LETTER_RUN,
        obj=project,
        token=token,
        back_url=reverse("stakeholders:letters", args=[project.pk]),
        back_label=_("Invitation letters"),
        breadcrumbs=project_trail(
            project,
            link(_("Neighbour list"), "stakeholders:neighbour_list", project.pk),
            link(_("Invitation letters"), "stakeholders:letters", project.pk),
            _("PDF"),
        ),
    )


def _template_form_page(request, project, form, template=None) -> HttpResponse:
    context = {
        "project": project,
        "form": form,
        "template": template,
        "breadcrumbs": project_trail(
            project,
            link(_("Invitation letters"), "stakeholders:letters", project.pk),
            _("Edit letter template") if template else _("New letter template"),
        ),
    }
    return render(
        request, "stakeholders/letter_template_form.html", context, status=form_status(form)
    )


def _may_share(user, project) -> bool:
    return rules.has_perm("stakeholders.change_municipality_letters", user, project.municipality)


@staff_required
def letter_template_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, SEND)
    may_share = _may_share(request.user, project)
    initial = {
        "name": _("Invitation to neighbours"),
        "heading": _("Invitation: {title}"),
        "body": _(
            "We invite you to a meeting about {project}: "
            "{title}.\n\nTime: {time}\nPlace: {place}\n\n{description}\n\n"
            "Questions? Contact {contact}."
        ),
    }
    form = LetterTemplateForm(posted(request), may_share=may_share, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        shared = data.pop("for_municipality", False)
        try:
            services.letter_template_create(
                municipality=project.municipality, project=None if shared else project, **data
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The letter template was saved."))
            return redirect("stakeholders:letters", pk=project.pk)
    return _template_form_page(request, project, form)


@staff_required
def letter_template_edit(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, SEND)
    template = get_object_or_404(services.letter_templates_for(project), pk=template_pk)
    if template.project_id is None and not _may_share(request.user, project):
        raise PermissionDenied
    form = LetterTemplateForm(posted(request), instance=template)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("name", "heading", "body")}
        try:
            services.letter_template_edit(
                template=LetterTemplate.objects.get(pk=template.pk), **data
            )
        except ValidationError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The letter template was saved."))
            return redirect("stakeholders:letters", pk=project.pk)
    return _template_form_page(request, project, form, template)
