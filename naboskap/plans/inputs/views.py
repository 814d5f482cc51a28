"""Staff pages for inputs, under /app/prosjekter/<pk>/innspill/. Every view fetches through
projects.access or plans.inputs.access, and every change goes through plans.services.

What was said is need-to-know (see plans.rules): those who handle the project's inputs
(plans.view_raw_input) read the list, each input's page (every opening is logged) and the
email address a neighbour left; managers of the plan (plans.change_plan) also register,
decide and publish. Everyone else who reaches the project gets the counts and the published
inputs as the public page tells them.
"""

import rules
from auditlog.models import LogEntry
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.breadcrumbs import link, project_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.plans import services
from naboskap.plans.inputs import selectors
from naboskap.plans.inputs.access import get_input_for_user
from naboskap.plans.inputs.forms import (
    THEME_LIST_ID,
    DecisionForm,
    InputFilterForm,
    InputForm,
    InputMeasureForm,
    PublishForm,
)
from naboskap.plans.models import Input
from naboskap.projects.access import get_project_for_user
from naboskap.tenancy.access import staff_required

PER_PAGE = 25
FILTERS = ["decision", "moderation", "origin", "theme"]


def _filtered(form: InputFilterForm, inputs):
    if not form.is_valid():
        return inputs
    data = form.cleaned_data
    for name in FILTERS:
        if data[name]:
            inputs = inputs.filter(**{name: data[name]})
    if data["q"]:
        text = data["q"].strip()
        inputs = inputs.filter(
            Q(text__icontains=text)
            | Q(public_text__icontains=text)
            | Q(from_whom__icontains=text)
            | Q(decision_reason__icontains=text)
        )
    return inputs


def _can_change(request: HttpRequest, project) -> bool:
    return rules.has_perm("plans.change_plan", request.user, project)


def _inputs_link(project):
    return link(_("Inputs"), "inputs:list", project.pk)


def _input_title(input: Input) -> str:
    return _("Input of %(date)s") % {"date": date_format(input.received_on, "SHORT_DATE_FORMAT")}


@staff_required
def input_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "plans.view_plan")
    if not rules.has_perm("plans.view_raw_input", request.user, project):
        return _summary(request, project)
    themes = selectors.project_themes(project)
    form = InputFilterForm(request.GET or None, themes=themes)
    inputs = _filtered(form, selectors.project_inputs(project))
    page = Paginator(inputs, PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "project": project,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "moderation_counts": _choice_counts(project, "moderation", Input.Moderation),
        "decision_counts": _choice_counts(project, "decision", Input.Decision),
        "can_change": _can_change(request, project),
        "breadcrumbs": project_trail(project, _("Inputs")),
    }
    return render(request, "plans/inputs/list.html", context, status=form_status(form))


def _summary(request: HttpRequest, project) -> HttpResponse:
    """For those who do not handle inputs: how many there are, and the published ones with
    their curated text, decision and measures, never what was said, by whom or an address."""
    inputs = list(selectors.published_inputs(project))
    for input in inputs:
        input.public_measures = selectors.public_measures_of(input)
    moderation_counts = _choice_counts(project, "moderation", Input.Moderation)
    context = {
        "project": project,
        "total": sum(count for _value, _label, count in moderation_counts),
        "moderation_counts": moderation_counts,
        "decision_counts": _choice_counts(project, "decision", Input.Decision),
        "groups": selectors.group_by_theme(inputs),
        "published_count": len(inputs),
        "breadcrumbs": project_trail(project, _("Inputs")),
    }
    return render(request, "plans/inputs/summary.html", context)


def _choice_counts(project, name: str, choices) -> list[tuple[str, str, int]]:
    """[(value, label, count)] for every choice, zeros included, in the choices' order."""
    counts = selectors.counts_by(project, name)
    return [(value, label, counts.get(value, 0)) for value, label in choices.choices]


def _form_page(request: HttpRequest, project, form: InputForm, input: Input | None):
    context = {
        "project": project,
        "form": form,
        "input": input,
        "themes": selectors.project_themes(project),
        "theme_list_id": THEME_LIST_ID,
        "breadcrumbs": project_trail(
            project,
            _inputs_link(project),
            input and to(input, _input_title(input)),
            _("Edit input") if input else _("Register an input"),
        ),
    }
    return render(request, "plans/inputs/form.html", context, status=form_status(form))


@staff_required
def input_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "plans.change_plan")
    form = InputForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            input = services.input_register(
                project=project, created_by=request.user, **form.input_data()
            )
        except services.PlanError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The input was registered."))
            return redirect(input)
    return _form_page(request, project, form, None)


@staff_required
def input_edit(request: HttpRequest, pk: int, input_pk: int) -> HttpResponse:
    input = get_input_for_user(
        request.user, pk, input_pk, "plans.change_plan", log_access=request.method == "GET"
    )
    form = InputForm(posted(request), instance=input)
    if request.method == "POST" and form.is_valid():
        try:
            services.input_edit(input=input, **form.input_data())
        except services.PlanError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The input was saved."))
            return redirect(input)
    if form.errors:
        # The page heading and links show the input as stored, not the rejected values.
        input = get_input_for_user(request.user, pk, input_pk, "plans.change_plan")
    return _form_page(request, input.project, form, input)


def _detail(request: HttpRequest, input: Input, status: int = 200, **forms) -> HttpResponse:
    project = input.project
    can_change = _can_change(request, project)
    context = {
        "project": project,
        "input": input,
        "measures": selectors.input_measures(input),
        "can_change": can_change,
        "show_email": True,  # the page is for those who handle inputs (the access helper)
        "breadcrumbs": project_trail(project, _inputs_link(project), _input_title(input)),
    }
    if rules.has_perm("plans.view_input_access_log", request.user, project):
        context["access_log"] = (
            LogEntry.objects.get_for_object(input)
            .filter(action=LogEntry.Action.ACCESS)
            .select_related("actor")
            .order_by("-timestamp")[:50]
        )
    if can_change:
        context.update(
            decision_form=forms.get("decision")
            or DecisionForm(
                initial={"decision": input.decision, "decision_reason": input.decision_reason}
            ),
            publish_form=forms.get("publish")
            or PublishForm(initial={"public_text": input.public_text}),
            measure_form=forms.get("measure") or InputMeasureForm(project=project),
        )
    return render(request, "plans/inputs/detail.html", context, status=status)


@staff_required
def input_detail(request: HttpRequest, pk: int, input_pk: int) -> HttpResponse:
    return _detail(request, get_input_for_user(request.user, pk, input_pk, log_access=True))


def _change(request: HttpRequest, pk: int, input_pk: int) -> Input:
    return get_input_for_user(request.user, pk, input_pk, "plans.change_plan")


def _act(request, pk: int, input_pk: int, name: str, make_form, operation, done: str):
    """A form of the detail page: validate it and run the operation on the input. Refused,
    the detail page comes again with the form and its errors (and the input as stored)."""
    input = _change(request, pk, input_pk)
    form = make_form(input)
    if form.is_valid():
        try:
            operation(input, form.cleaned_data)
        except services.PlanError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, done)
            return redirect(input)
    return _detail(request, _change(request, pk, input_pk), status=400, **{name: form})


@require_POST
@staff_required
def input_decide(request: HttpRequest, pk: int, input_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        input_pk,
        "decision",
        lambda input: DecisionForm(request.POST),
        lambda input, data: services.input_decide(input=input, **data),
        _("The decision was saved."),
    )


@require_POST
@staff_required
def input_publish(request: HttpRequest, pk: int, input_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        input_pk,
        "publish",
        lambda input: PublishForm(request.POST),
        lambda input, data: services.input_publish(input=input, **data),
        _("The input is published on the public page."),
    )


@require_POST
@staff_required
def input_hide(request: HttpRequest, pk: int, input_pk: int) -> HttpResponse:
    input = _change(request, pk, input_pk)
    services.input_hide(input=input)
    messages.success(request, _("The input is not shown on the public page."))
    return redirect(input)


@require_POST
@staff_required
def input_measure_create(request: HttpRequest, pk: int, input_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        input_pk,
        "measure",
        lambda input: InputMeasureForm(request.POST, project=input.project),
        lambda input, data: services.input_create_measure(
            input=input, created_by=request.user, **data
        ),
        _("The measure was created."),
    )
