"""Staff pages of the action and collaboration plan, under /app/. Every view fetches through
projects.access or plans.access, and every change goes through plans.services."""

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link, project_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.plans import exports, selectors, services
from naboskap.plans.access import get_measure_for_user
from naboskap.plans.documents import PLAN
from naboskap.plans.forms import MeasureForm, PlanFilterForm, ProgressForm, initial_from_query
from naboskap.plans.models import SOURCE_FIELDS, Measure, Participation
from naboskap.plans.plan import PART_LETTERS, filter_variant, filtered, plan_context
from naboskap.projects.access import get_project_for_user
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.rules import memberships_of

MY_MEASURES_PER_PAGE = 50


def _plan_link(project):
    return link(_("Action and collaboration plan"), "plans:plan", project.pk)


def _plan_context(request: HttpRequest, pk: int) -> dict:
    """The project, the filter form and the filtered, grouped measures of its plan."""
    project = get_project_for_user(request.user, pk, "plans.view_plan")
    return plan_context(project, request.GET)


@staff_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    context = _plan_context(request, pk)
    context["can_change"] = rules.has_perm("plans.change_plan", request.user, context["project"])
    context["breadcrumbs"] = project_trail(context["project"], _("Action and collaboration plan"))
    return render(request, "plans/plan.html", context, status=form_status(context["form"]))


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan (as filtered) as PDF: stored and current, or prepared by the worker while
    the page waits (see `documents`)."""
    project = get_project_for_user(request.user, pk, "plans.view_plan")
    return downloads.download(
        request,
        kind=PLAN,
        obj=project,
        variant=filter_variant(project, request.GET),
        back_url=reverse("plans:plan", args=[pk]),
        back_label=_("Action and collaboration plan"),
        breadcrumbs=project_trail(project, _plan_link(project), _("PDF")),
    )


@staff_required
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    context = _plan_context(request, pk)
    content = exports.plan_workbook(context["project"], context["groups"])
    filename = f"tiltaksplan-{context['project'].slug}.xlsx"
    return _download(content, exports.XLSX_TYPE, filename)


@staff_required
def matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """Units × measures: who is responsible, accountable, consulted or informed."""
    context = _plan_context(request, pk)
    measures = context["measures"]
    units = {m.owner_unit.pk: m.owner_unit for m in measures}
    for measure in measures:
        units.update({p.unit.pk: p.unit for p in measure.participations.all()})
    columns = sorted(units.values(), key=lambda unit: unit.name.lower())
    rows = []
    for measure in measures:
        parts = {p.unit_id: p.get_part_display() for p in measure.participations.all()}
        codes = {p.unit_id: PART_LETTERS[p.part] for p in measure.participations.all()}
        cells = [(unit, codes.get(unit.pk, ""), parts.get(unit.pk, "")) for unit in columns]
        rows.append((measure, cells))
    project = context["project"]
    context.update(
        {
            "columns": columns,
            "rows": rows,
            "parts": Participation.Part.choices,
            "breadcrumbs": project_trail(project, _plan_link(project), _("Collaboration matrix")),
        }
    )
    return render(request, "plans/matrix.html", context, status=form_status(context["form"]))


@staff_required
def my_measures(request: HttpRequest) -> HttpResponse:
    """Measures that the user's units own or take part in, across the projects they reach."""
    municipality = get_staff_municipality(request)
    form = PlanFilterForm(request.GET or None, municipality_ids={municipality.pk})
    measures = selectors.in_work_order(
        filtered(form, selectors.measures_for_user(request.user, municipality))
    )
    page = Paginator(measures, MY_MEASURES_PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "unit_names": sorted(
            {
                m.unit.name
                for m in memberships_of(request.user)
                if m.unit_id is not None and m.municipality_id == municipality.pk
            }
        ),
        "part_letters": PART_LETTERS,
    }
    return render(request, "plans/my_measures.html", context, status=form_status(form))


def _save_measure(request, form: MeasureForm, measure: Measure | None, project):
    """Create or change the measure from a valid form; None (and a form error) if the plan
    refuses it."""
    try:
        if measure is None:
            return services.measure_create(
                project=project,
                created_by=request.user,
                participations=form.participations(),
                categories=form.categories(),
                **form.measure_data(),
            )
        services.measure_update(
            measure=measure,
            changed_by=request.user,
            participations=form.participations(),
            categories=form.categories(),
            **form.measure_data(),
        )
        return measure
    except services.PlanError as exc:
        show_error(request, exc, form)
        return None


@staff_required
def measure_edit(request: HttpRequest, pk: int, measure_pk: int | None = None) -> HttpResponse:
    if measure_pk is None:
        project = get_project_for_user(request.user, pk, "plans.change_plan")
        measure = None
    else:
        measure = get_measure_for_user(request.user, pk, measure_pk, "plans.change_measure")
        project = measure.project
    # A source page links here with its object preselected (?concern=…), if of this project.
    initial = {
        name: request.GET[name]
        for name in SOURCE_FIELDS
        if measure is None and request.GET.get(name, "").isdigit()
    }
    if measure is None:  # and what a link fills in: "What works" adopting a measure
        initial.update(initial_from_query(request.GET, project=project))
    form = MeasureForm(posted(request), instance=measure, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save_measure(request, form, measure, project)
        if saved is not None:
            messages.success(request, _("The measure was saved."))
            return redirect(saved)
    context = {
        "project": project,
        "form": form,
        "measure": measure,
        "breadcrumbs": project_trail(
            project,
            _plan_link(project),
            measure and to(measure, measure.title),
            _("Edit measure") if measure else _("New measure"),
        ),
    }
    return render(request, "plans/measure_form.html", context, status=form_status(form))


def _history(measure: Measure) -> list[dict]:
    """The history rows with field labels: who, when, field: old → new."""
    labels = {
        f.name: f.verbose_name for f in Measure._meta.get_fields() if hasattr(f, "verbose_name")
    }
    labels[services.PARTICIPATIONS] = _("participating units")
    labels[services.CATEGORIES] = _("concern categories it addresses")
    yes_no = {"1": _("Yes"), "0": _("No")}
    rows = []
    for change in measure.history.select_related("changed_by").order_by("-changed_at", "-pk"):
        items = []
        for name, (old, new) in change.changes.items():
            if name == "is_public":
                old, new = yes_no.get(old, old), yes_no.get(new, new)
            items.append(
                {"label": str(labels.get(name, name)).capitalize(), "old": old, "new": new}
            )
        rows.append({"change": change, "items": items})
    return rows


def _detail(request: HttpRequest, measure: Measure, progress_form=None, status=200):
    can_update = rules.has_perm("plans.update_measure", request.user, measure)
    if progress_form is None and can_update:
        progress_form = ProgressForm(
            initial={
                "status": measure.status,
                "progress": measure.progress,
                "cancel_reason": measure.cancel_reason,
            }
        )
    context = {
        "project": measure.project,
        "measure": measure,
        "participations": measure.participations.select_related("unit").order_by("unit__name"),
        "history": _history(measure),
        "can_change": rules.has_perm("plans.change_plan", request.user, measure.project),
        "can_update": can_update,
        "form": progress_form,
        "part_letters": PART_LETTERS,
        "breadcrumbs": project_trail(measure.project, _plan_link(measure.project), measure.title),
    }
    return render(request, "plans/measure_detail.html", context, status=status)


@staff_required
def measure_detail(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    return _detail(request, get_measure_for_user(request.user, pk, measure_pk))


@require_POST
@staff_required
def measure_progress(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    """The owner unit's quick report of status and progress."""
    measure = get_measure_for_user(request.user, pk, measure_pk, "plans.update_measure")
    form = ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_update(
                measure=measure,
                changed_by=request.user,
                note=data["note"],
                status=data["status"],
                progress=data["progress"],
                cancel_reason=data["cancel_reason"],
            )
        except services.PlanError as exc:
            show_error(request, exc, form)
            # The rejected values must not show as the measure's own.
            measure = get_measure_for_user(request.user, pk, measure_pk)
        else:
            messages.success(request, _("The progress was saved."))
            return redirect(measure)
    return _detail(request, measure, form, status=400)
