"""Staff pages of ROS analyses and risk scales, under /app/. Every view fetches through
risk.access (or projects.access) and every change goes through risk.services."""

from __future__ import annotations

import rules
import segno
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.breadcrumbs import project_trail, to
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.plans.models import Measure
from naboskap.projects.access import get_project_for_user
from naboskap.risk import report, selectors, services, workflow
from naboskap.risk.access import get_analysis_for_user, get_event_for_user, get_scale_for_user
from naboskap.risk.breadcrumbs import analysis_label, event_label, risk_trail, scales_trail
from naboskap.risk.forms import (
    AnalysisForm,
    EventForm,
    EventMeasureForm,
    RoundOpenForm,
    ScaleCreateForm,
    ScaleEditForm,
    ScoreForm,
    SettleForm,
    StatusForm,
    formset_rows,
    meeting_formset,
    participant_formset,
)
from naboskap.risk.models import Analysis, Colour, ConsequenceScore, ScaleVersion, ScoringRound
from naboskap.tenancy.access import get_staff_municipality, staff_required

CHANGE = "risk.change_analyses"
VIEW = "risk.view_analyses"
BEFORE = ConsequenceScore.Stage.BEFORE
AFTER = ConsequenceScore.Stage.AFTER


def _can_change(request: HttpRequest, project) -> bool:
    return rules.has_perm(CHANGE, request.user, project)


# Analyses ----------------------------------------------------------------------------------


@staff_required
def analysis_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "risk.view_analyses")
    context = {
        "project": project,
        "analyses": selectors.analyses_for_project(project),
        "can_change": _can_change(request, project),
        "breadcrumbs": project_trail(project, _("Risk and vulnerability analyses")),
    }
    return render(request, "risk/analysis_list.html", context)


def _analysis_form(request: HttpRequest, project, analysis: Analysis | None) -> HttpResponse:
    data = posted(request)
    form = AnalysisForm(
        data, instance=analysis, municipality=project.municipality, creating=analysis is None
    )
    participants = participant_formset(data, analysis)
    meetings = meeting_formset(data, analysis)
    if data is not None and form.is_valid() and participants.is_valid() and meetings.is_valid():
        fields = {
            name: form.cleaned_data[name]
            for name in ("title", "purpose", "method", "area_description", "next_revision_on")
        }
        rows = {
            "participants": formset_rows(participants, "name"),
            "meetings": formset_rows(meetings, "held_on"),
        }
        try:
            if analysis is None:
                analysis = services.analysis_create(
                    project=project,
                    created_by=request.user,
                    scale=form.cleaned_data["scale"],
                    **rows,
                    **fields,
                )
            else:
                services.analysis_edit(analysis=analysis, **rows, **fields)
        except services.RiskError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The analysis was saved."))
            return redirect(analysis)
    context = {
        "project": project,
        "analysis": analysis,
        "form": form,
        "participants": participants,
        "meetings": meetings,
        "breadcrumbs": risk_trail(
            project, _("Edit analysis") if analysis else _("New analysis"), analysis=analysis
        ),
    }
    status = 400 if data is not None else 200
    return render(request, "risk/analysis_form.html", context, status=status)


@staff_required
def analysis_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, CHANGE)
    return _analysis_form(request, project, None)


@staff_required
def analysis_edit(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, CHANGE)
    if not analysis.is_editable:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(analysis)
    return _analysis_form(request, analysis.project, analysis)


def _analysis_data(analysis: Analysis) -> dict:
    """The scale, the events with their risk, and their measures: a fixed number of queries."""
    scale = selectors.load_scale(analysis.scale_version)
    events = list(selectors.analysis_events(analysis))
    risks = [selectors.event_risk(event, scale) for event in events]
    measures = selectors.event_measures(events, analysis.revision)
    observed = selectors.observations(events, scale.probability_levels)
    for risk in risks:
        risk.measures = measures[risk.event.lineage]
        risk.observed = observed[risk.event.pk]
        risk.event.url = reverse(
            "risk:event_detail", args=[analysis.project_id, analysis.pk, risk.event.pk]
        )
    return {"scale": scale, "risks": risks}


@staff_required
def analysis_detail(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    return _analysis_page(request, get_analysis_for_user(request.user, pk, analysis_pk))


def _analysis_page(request: HttpRequest, analysis: Analysis, errors=(), status: int = 200):
    """The analysis page; with `errors` (a refused change), shown in an alert with 400."""
    project = analysis.project
    can_change = _can_change(request, project)
    data = _analysis_data(analysis)
    overall = [
        selectors.matrix(data["scale"], data["risks"], selectors.OVERALL, _("Overall"), stage)
        for stage in (BEFORE, AFTER)
    ]
    revisions = list(
        Analysis.objects.filter(series=analysis.series)
        .only("pk", "revision", "status")
        .order_by("-revision")
    )
    context = {
        "project": project,
        "analysis": analysis,
        "can_change": can_change,
        "can_publish": rules.has_perm("risk.publish_summary", request.user, project),
        "participants": analysis.participants.all(),
        "meetings": analysis.meetings.all(),
        "history": analysis.status_changes.select_related("changed_by"),
        "revisions": revisions,
        "is_newest": revisions[0].pk == analysis.pk,
        "transitions": [
            (value, Analysis.Status(value).label)
            for value in workflow.BY_HAND.get(analysis.status, [])
        ],
        "open_round": analysis.scoring_rounds.filter(closed_at__isnull=True).first(),
        "matrices": overall,
        "rows": selectors.table_rows(data["risks"], selectors.OVERALL),
        "colours": Colour.choices,
        "errors": errors,
        "breadcrumbs": risk_trail(project, analysis_label(analysis)),
        **data,
    }
    return render(request, "risk/analysis_detail.html", context, status=status)


@require_POST
@staff_required
def analysis_status(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, CHANGE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _analysis_page(request, analysis, [_("Choose a status.")], status=400)
    try:
        services.analysis_change_status(
            analysis=analysis,
            to_status=form.cleaned_data["to_status"],
            changed_by=request.user,
            note=form.cleaned_data["note"],
        )
    except services.RiskError as exc:
        return _analysis_page(request, analysis, exc.messages, status=400)
    messages.success(request, _("The status was changed."))
    return redirect(analysis)


@require_POST
@staff_required
def analysis_revise(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, CHANGE)
    try:
        revision = services.analysis_revise(analysis=analysis, created_by=request.user)
    except services.RiskError as exc:
        return _analysis_page(request, analysis, exc.messages, status=400)
    messages.success(request, _("A new revision was made with every event copied."))
    return redirect(revision)


@staff_required
def analysis_diff(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    """What changed against the previous revision: added, removed and re-scored events."""
    analysis = get_analysis_for_user(request.user, pk, analysis_pk)
    diff = None
    if analysis.previous is not None:
        scale = selectors.load_scale(analysis.scale_version)
        diff = selectors.revision_diff(analysis.previous, analysis, scale)
    context = {
        "project": analysis.project,
        "analysis": analysis,
        "diff": diff,
        "breadcrumbs": risk_trail(
            analysis.project, _("Changes since the previous revision"), analysis=analysis
        ),
    }
    return render(request, "risk/analysis_diff.html", context)


@staff_required
def matrix(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    """One matrix per consequence dimension and an overall one, before and after measures,
    each with a table of the same data."""
    analysis = get_analysis_for_user(request.user, pk, analysis_pk)
    data = _analysis_data(analysis)
    scale, risks = data["scale"], data["risks"]
    sections = report.matrix_sections(scale, risks)
    context = {
        "project": analysis.project,
        "analysis": analysis,
        "sections": sections,
        "colours": Colour.choices,
        "breadcrumbs": risk_trail(analysis.project, _("Risk matrices"), analysis=analysis),
        **data,
    }
    return render(request, "risk/matrix.html", context)


# Unwanted events ---------------------------------------------------------------------------


@staff_required
def event_create(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, CHANGE)
    if not analysis.is_editable:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(analysis)
    form = EventForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(analysis=analysis, **form.cleaned_data)
        except services.RiskError as exc:
            show_error(request, exc)
            return redirect(analysis)
        event.analysis = analysis
        messages.success(request, _("The event was added. Score it next."))
        return redirect("risk:event_score", pk=pk, analysis_pk=analysis.pk, event_pk=event.pk)
    context = {
        "project": analysis.project,
        "analysis": analysis,
        "form": form,
        "event": None,
        "breadcrumbs": risk_trail(analysis.project, _("New unwanted event"), analysis=analysis),
    }
    return render(request, "risk/event_form.html", context, status=form_status(form))


@staff_required
def event_edit(request: HttpRequest, pk: int, analysis_pk: int, event_pk: int) -> HttpResponse:
    event = get_event_for_user(request.user, pk, analysis_pk, event_pk, CHANGE)
    analysis = event.analysis
    if not analysis.is_editable:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(event)
    form = EventForm(posted(request), instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_edit(event=event, **form.cleaned_data)
        except services.RiskError as exc:
            show_error(request, exc)
            return redirect(event)
        messages.success(request, _("The event was saved."))
        return redirect(event)
    context = {
        "project": analysis.project,
        "analysis": analysis,
        "form": form,
        "event": event,
        "breadcrumbs": risk_trail(
            analysis.project,
            to(event, event_label(event)),
            _("Edit unwanted event"),
            analysis=analysis,
        ),
    }
    return render(request, "risk/event_form.html", context, status=form_status(form))


@require_POST
@staff_required
def event_delete(request: HttpRequest, pk: int, analysis_pk: int, event_pk: int) -> HttpResponse:
    event = get_event_for_user(request.user, pk, analysis_pk, event_pk, CHANGE)
    analysis = event.analysis
    try:
        services.event_delete(event=event)
    except services.RiskError as exc:
        show_error(request, exc)
        return redirect(event)
    messages.success(request, _("The event was removed from this revision."))
    return redirect(analysis)


@staff_required
def event_score(request: HttpRequest, pk: int, analysis_pk: int, event_pk: int) -> HttpResponse:
    """Scores before and after measures, strength of knowledge and acceptance."""
    event = get_event_for_user(request.user, pk, analysis_pk, event_pk, CHANGE)
    analysis = event.analysis
    if not analysis.is_editable:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(event)
    scale = selectors.load_scale(analysis.scale_version)
    data = posted(request)
    forms = [ScoreForm(data, scale=scale, stage=stage, event=event) for stage in (BEFORE, AFTER)]
    if data is not None and all(form.is_valid() for form in forms):
        try:
            for form in forms:
                services.event_score(
                    event=event,
                    stage=form.stage,
                    probability=form.cleaned_data["probability"],
                    probability_justification=form.cleaned_data["probability_justification"],
                    consequences=form.consequences(),
                    **form.assessment(),
                )
        except services.RiskError as exc:
            show_error(request, exc, forms[0])
        else:
            messages.success(request, _("The scores were saved."))
            return redirect(event)
    context = {
        "project": analysis.project,
        "analysis": analysis,
        "event": event,
        "forms": forms,
        "scale": scale,
        "breadcrumbs": risk_trail(
            analysis.project,
            to(event, event_label(event)),
            _("Score %(number)s. %(title)s") % {"number": event.number, "title": event.title},
            analysis=analysis,
        ),
    }
    return render(request, "risk/event_score.html", context, status=form_status(*forms))


def _event_page(request: HttpRequest, event, measure_form=None, status: int = 200):
    analysis = event.analysis
    project = analysis.project
    scale = selectors.load_scale(analysis.scale_version)
    event = (
        selectors.analysis_events(analysis).select_related("previous__analysis").get(pk=event.pk)
    )
    event.analysis = analysis
    risk = selectors.event_risk(event, scale)
    measures = selectors.event_measures([event], analysis.revision)[event.lineage]
    can_change = _can_change(request, project)
    if measure_form is None and can_change and analysis.is_editable:
        measure_form = EventMeasureForm(municipality=project.municipality)
    dimensions = [
        {
            "dimension": d,
            "before": risk.scores[BEFORE].get(d.key),
            "after": risk.scores[AFTER].get(d.key),
            "cell_before": risk.cells[BEFORE].get(d.key),
            "cell_after": risk.cells[AFTER].get(d.key),
        }
        for d in scale.dimensions
    ]
    probability_names = {level.value: level for level in scale.probability_levels}
    observed = selectors.observations([event], scale.probability_levels)[event.pk]
    context = {
        "observed": observed,
        "observed_name": probability_names.get(observed.level),
        "spread": selectors.spread_items(event.settled_spread or {}, scale),
        "project": project,
        "analysis": analysis,
        "event": event,
        "risk": risk,
        "scale": scale,
        "dimensions": dimensions,
        "probability_before": probability_names.get(event.probability),
        "probability_after": probability_names.get(event.residual_probability),
        "causes": _lines(event.causes),
        "barriers": _lines(event.existing_barriers),
        "knock_on": _lines(event.knock_on_effects),
        "probability_measures": [m for m in measures if m.kind == Measure.Kind.PROBABILITY],
        "consequence_measures": [m for m in measures if m.kind != Measure.Kind.PROBABILITY],
        "measures": measures,
        "can_change": can_change,
        "form": measure_form,
        "breadcrumbs": risk_trail(project, event_label(event), analysis=analysis),
    }
    return render(request, "risk/event_detail.html", context, status=status)


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


@staff_required
def event_detail(request: HttpRequest, pk: int, analysis_pk: int, event_pk: int) -> HttpResponse:
    return _event_page(request, get_event_for_user(request.user, pk, analysis_pk, event_pk))


@require_POST
@staff_required
def event_measure_create(
    request: HttpRequest, pk: int, analysis_pk: int, event_pk: int
) -> HttpResponse:
    event = get_event_for_user(request.user, pk, analysis_pk, event_pk, CHANGE)
    project = event.analysis.project
    form = EventMeasureForm(request.POST, municipality=project.municipality)
    if form.is_valid():
        try:
            services.event_measure_add(event=event, created_by=request.user, **form.cleaned_data)
        except services.RiskError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The measure was added to the action plan."))
            return redirect(event)
    return _event_page(request, event, form, status=400)


# Scales ------------------------------------------------------------------------------------


@staff_required
def scale_list(request: HttpRequest) -> HttpResponse:
    """The scales of the municipality the user works in."""
    municipality = get_staff_municipality(request)
    scales = list(selectors.scales_for_municipalities([municipality.pk]))
    can_add = rules.has_perm("risk.change_scales", request.user, municipality)
    context = {"scales": scales, "can_add": can_add, "breadcrumbs": scales_trail()}
    return render(request, "risk/scale_list.html", context)


@staff_required
def scale_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, "risk.change_scales")
    form = ScaleCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            scale = services.scale_create_from_preset(
                municipality,
                form.cleaned_data["preset"],
                form.cleaned_data["size"],
                name=form.scale_name(),
                created_by=request.user,
            )
        except services.RiskError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The scale was made. Adjust it to your municipality."))
            return redirect(scale)
    context = {
        "form": form,
        "municipality": municipality,
        "breadcrumbs": scales_trail(_("New risk scale")),
    }
    return render(request, "risk/scale_create.html", context, status=form_status(form))


@staff_required
def scale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scale = get_scale_for_user(request.user, pk)
    versions = list(scale.versions.annotate(analysis_count=Count("analyses")).order_by("-number"))
    chosen = versions[0]
    wanted = request.GET.get("versjon", "")
    if wanted.isdigit():
        chosen = next((v for v in versions if v.number == int(wanted)), chosen)
    view = selectors.load_scale(chosen)
    context = {
        "scale": scale,
        "versions": versions,
        "version": chosen,
        "view": view,
        "rows": selectors.matrix(view, [], selectors.OVERALL, "", BEFORE).rows,
        "can_change": rules.has_perm("risk.change_scales", request.user, scale.municipality),
        "breadcrumbs": scales_trail(scale.name),
    }
    return render(request, "risk/scale_detail.html", context)


@staff_required
def scale_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scale = get_scale_for_user(request.user, pk, "risk.change_scales")
    current: ScaleVersion = services.scale_current_version(scale)
    form = ScaleEditForm(posted(request), scale=scale, content=services.scale_content(current))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.scale_edit(
                scale=scale,
                content=form.edited_content(),
                edited_by=request.user,
                name=form.cleaned_data["name"].strip(),
            )
        except services.RiskError as exc:
            show_error(request, exc, form)
        else:
            if version.pk != current.pk:
                messages.success(
                    request,
                    _(
                        "Saved as version %(number)d. Analyses made with the earlier version "
                        "keep it."
                    )
                    % {"number": version.number},
                )
            else:
                messages.success(request, _("The scale was saved."))
            return redirect(scale)
    context = {
        "scale": scale,
        "version": current,
        "in_use": current.is_frozen,
        "form": form,
        "breadcrumbs": scales_trail(to(scale, scale.name), _("Edit the scale")),
    }
    return render(request, "risk/scale_edit.html", context, status=form_status(form))


@require_POST
@staff_required
def scale_make_default(request: HttpRequest, pk: int) -> HttpResponse:
    scale = get_scale_for_user(request.user, pk, "risk.change_scales")
    services.scale_make_default(scale=scale)
    messages.success(request, _("New analyses use this scale unless another is chosen."))
    return redirect(scale)


# Scoring rounds ----------------------------------------------------------------------------


def _get_round(request: HttpRequest, pk: int, analysis_pk: int, round_pk: int, perm=None):
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, perm or VIEW)
    scoring_round = get_object_or_404(ScoringRound, pk=round_pk, analysis=analysis)
    scoring_round.analysis = analysis
    return scoring_round


def join_url(request: HttpRequest, scoring_round: ScoringRound) -> str:
    return request.build_absolute_uri(reverse("portal:scoring_join", args=[scoring_round.code]))


def qr_svg(url: str, title: str) -> str:
    """The address as a QR code, an inline SVG image with `title` as its name."""
    svg = segno.make(url, error="m").svg_inline(scale=6, title=title, border=2, svgclass="qr-code")
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


@staff_required
def round_create(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    """Open a scoring round for chosen events: participants join from their phones."""
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, CHANGE)
    if not analysis.is_editable:
        messages.error(request, _("Only a draft can be scored."))
        return redirect(analysis)
    form = RoundOpenForm(posted(request), analysis=analysis)
    if request.method == "POST" and form.is_valid():
        try:
            scoring_round = services.round_open(
                analysis=analysis, events=form.cleaned_data["events"], opened_by=request.user
            )
        except services.RiskError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The scoring round is open. Show this page in the room."))
            return redirect(scoring_round)
    context = {
        "project": analysis.project,
        "analysis": analysis,
        "form": form,
        "rounds": analysis.scoring_rounds.all(),
        "breadcrumbs": risk_trail(analysis.project, _("Scoring in the meeting"), analysis=analysis),
    }
    return render(request, "risk/round_create.html", context, status=form_status(form))


def _round_label(scoring_round: ScoringRound) -> str:
    return _("Scoring round %(code)s") % {"code": scoring_round.code}


def _round_context(request: HttpRequest, scoring_round: ScoringRound) -> dict:
    analysis = scoring_round.analysis
    scale = selectors.load_scale(analysis.scale_version)
    return {
        "project": analysis.project,
        "analysis": analysis,
        "round": scoring_round,
        "scale": scale,
        "results": selectors.round_results(scoring_round, scale),
        "min_votes": selectors.MIN_VOTES,
        "can_change": _can_change(request, analysis.project),
    }


@staff_required
def round_detail(request: HttpRequest, pk: int, analysis_pk: int, round_pk: int) -> HttpResponse:
    """The room view, for a projector: the QR code, the short address, and per event the
    count, median and spread (nothing but the count until three have voted)."""
    scoring_round = _get_round(request, pk, analysis_pk, round_pk)
    context = _round_context(request, scoring_round)
    url = join_url(request, scoring_round)
    context["join_url"] = url
    context["qr"] = qr_svg(
        url, _("QR code for scoring round %(code)s") % {"code": scoring_round.code}
    )
    context["breadcrumbs"] = risk_trail(
        context["project"], _round_label(scoring_round), analysis=context["analysis"]
    )
    return render(request, "risk/round_detail.html", context)


@staff_required
def round_results(request: HttpRequest, pk: int, analysis_pk: int, round_pk: int) -> HttpResponse:
    """The results part of the room view; htmx polls it while the round is open."""
    scoring_round = _get_round(request, pk, analysis_pk, round_pk)
    if not request.htmx:
        return redirect(scoring_round)
    return render(
        request, "risk/includes/round_results.html", _round_context(request, scoring_round)
    )


@require_POST
@staff_required
def round_close(request: HttpRequest, pk: int, analysis_pk: int, round_pk: int) -> HttpResponse:
    scoring_round = _get_round(request, pk, analysis_pk, round_pk, CHANGE)
    try:
        services.round_close(scoring_round=scoring_round, closed_by=request.user)
    except services.RiskError as exc:
        show_error(request, exc)
        return redirect(scoring_round)
    messages.success(request, _("The round is closed. Settle the values for each event."))
    return redirect("risk:round_settle", pk=pk, analysis_pk=analysis_pk, round_pk=round_pk)


@staff_required
def round_settle(request: HttpRequest, pk: int, analysis_pk: int, round_pk: int) -> HttpResponse:
    """One form per event, prefilled with the medians; each settles one event."""
    scoring_round = _get_round(request, pk, analysis_pk, round_pk, CHANGE)
    if scoring_round.is_open:
        messages.error(request, _("Close the round before settling the values."))
        return redirect(scoring_round)
    context = _round_context(request, scoring_round)
    scale = context["scale"]
    wanted = request.POST.get("event", "") if request.method == "POST" else ""
    forms = []
    bound = None
    for result in context["results"]:
        is_posted = wanted == str(result.event.pk)
        form = SettleForm(request.POST if is_posted else None, scale=scale, result=result)
        if is_posted:
            bound = form
        forms.append(form)
    if request.method == "POST" and bound is None:
        messages.error(request, _("Choose an event of this round."))
    elif bound is not None and bound.is_valid():
        event = bound.result.event
        event.analysis = scoring_round.analysis
        try:
            services.round_settle_event(
                scoring_round=scoring_round,
                event=event,
                settled_by=request.user,
                probability=bound.cleaned_data["probability"],
                consequences=bound.consequences(),
                knowledge_agreement=bound.cleaned_data["knowledge_agreement"],
                spread=bound.result.spread(scoring_round.code),
            )
        except services.RiskError as exc:
            show_error(request, exc, bound)
        else:
            messages.success(
                request, _("The values of “%(title)s” were settled.") % {"title": event.title}
            )
            return redirect(
                reverse("risk:round_settle", args=[pk, analysis_pk, round_pk])
                + f"#hendelse-{event.pk}"
            )
    context["forms"] = forms
    context["breadcrumbs"] = risk_trail(
        context["project"],
        to(scoring_round, _round_label(scoring_round)),
        _("Settle the values"),
        analysis=context["analysis"],
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "risk/round_settle.html", context, status=status)
