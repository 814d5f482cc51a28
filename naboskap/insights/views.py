"""Staff pages of the neighbour survey: a project's rounds, a new round, a round's results."""

from __future__ import annotations

import datetime

import rules
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.documents import downloads
from naboskap.insights import dashboard, metrics, selectors, services
from naboskap.insights.access import (
    CHANGE_TEMPLATES,
    get_question_for_user,
    get_template_for_user,
)
from naboskap.insights.documents import CODES
from naboskap.insights.forms import (
    CodesForm,
    PeriodForm,
    QuestionForm,
    RoundForm,
    TemplateForm,
)
from naboskap.insights.models import SurveyRound, SurveyTemplate
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.lib.breadcrumbs import link as crumb_link
from naboskap.lib.breadcrumbs import my_projects_trail, project_trail, section_trail, to
from naboskap.lib.charts import bar_chart, line_chart
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.lib.spreadsheets import CSV_TYPE, XLSX_TYPE
from naboskap.projects import services as project_services
from naboskap.projects.access import get_project_for_user
from naboskap.projects.selectors import projects_for_user
from naboskap.projects.templatetags.letters import short_address as letter_short_address
from naboskap.risk.views import qr_svg
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.models import Municipality
from naboskap.tenancy.selectors import (
    enter_municipality,
    municipalities_of,
)


def _survey_link(project):
    return crumb_link(_("Neighbour safety survey"), "insights:rounds", project.pk)


def _templates_trail(*more) -> list:
    """My projects › Survey templates › …"""
    return section_trail(_("Survey templates"), "insights:template_list", *more)


@staff_required
def rounds(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's survey rounds and the trend across them."""
    project = get_project_for_user(request.user, pk, "insights.view_survey")
    trend = selectors.project_trend(project)
    context = {
        "project": project,
        "can_run": rules.has_perm("insights.run_survey", request.user, project),
        "min_group": MIN_GROUP_SIZE,
        **trend,
        "trend_chart": trend_chart(trend),
        "breadcrumbs": project_trail(project, _("Neighbour safety survey")),
    }
    return render(request, "insights/rounds.html", context)


def trend_chart(trend: dict) -> str:
    """The mean per question across rounds, as a line chart on the 1–5 scale."""
    return line_chart(
        title=_("Mean answer per round"),
        labels=[r.title for r in trend["rounds"]],
        series=[(text, values) for text, values in trend["trend"]],
        y_min=1,
        y_max=5,
        label_header=_("Round"),
        empty_message=_("No round has enough answers yet."),
    )


def distribution_chart(row: dict) -> str:
    """How a Likert question was answered: a bar per value 1–5 and "don't know"."""
    counts = {value: count for value, count, _share in row["distribution"]}
    shares = {value: share for value, _count, share in row["distribution"]}
    agree, disagree = shares[4] + shares[5], shares[1] + shares[2]
    summary = _(
        "%(agree)s %% agree (4 or 5), %(disagree)s %% disagree (1 or 2), %(dont_know)s %% "
        "don't know, of %(total)s answers."
    ) % {
        "agree": agree,
        "disagree": disagree,
        "dont_know": shares[None],
        "total": row["total"],
    }
    labels = [
        _("1 strongly disagree"),
        "2",
        "3",
        "4",
        _("5 strongly agree"),
        _("Don't know"),
    ]
    return bar_chart(
        title=_("Answers to question %(number)s") % {"number": row["question"].position},
        labels=labels,
        series=[(_("Answers"), [counts[v] for v in (1, 2, 3, 4, 5, None)])],
        summary=summary,
        label_header=_("Answer"),
    )


@staff_required
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "insights.run_survey")
    services.template_ensure_default(municipality=project.municipality)
    form = RoundForm(posted(request), municipality=project.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            survey_round = services.round_create(project=project, **form.cleaned_data)
        except services.SurveyError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The survey round was created."))
            return redirect("insights:round_results", pk=project.pk, round_pk=survey_round.pk)
    context = {
        "project": project,
        "form": form,
        "breadcrumbs": project_trail(project, _survey_link(project), _("New survey round")),
    }
    return render(request, "insights/round_form.html", context, status=form_status(form))


@staff_required
def round_results(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "insights.view_survey")
    survey_round = get_object_or_404(
        SurveyRound.objects.select_related("template"), pk=round_pk, project=project
    )
    link = request.build_absolute_uri(reverse("portal:survey_answer", args=[survey_round.token]))
    can_read_open = rules.has_perm("insights.view_open_answers", request.user, project)
    results = selectors.round_results(survey_round, open_answers=can_read_open)
    for row in results["rows"]:
        if row.get("shown"):
            row["chart"] = distribution_chart(row)
    context = {
        "project": project,
        "round": survey_round,
        "link": link,
        "can_run": rules.has_perm("insights.run_survey", request.user, project),
        "qr": qr_svg(link, _("QR code for the survey")),
        "today": timezone.localdate(),
        "min_group": MIN_GROUP_SIZE,
        "can_read_open": can_read_open,
        "breadcrumbs": project_trail(project, _survey_link(project), survey_round.title),
        **results,
    }
    return render(request, "insights/round_results.html", context)


def _survey_short_address(survey_round: SurveyRound) -> str:
    """The survey page's short address (`/n/<code>`) to type from a slip: it stops working
    the day after the round closes. The single-use code is still needed to answer."""
    closes = datetime.datetime.combine(
        survey_round.closes_on + datetime.timedelta(days=1), datetime.time.min
    )
    link = project_services.short_link_for(
        municipality=survey_round.project.municipality,
        target=reverse("portal:survey_answer", args=[survey_round.token]),
        expires_at=timezone.make_aware(closes),
    )
    return letter_short_address(link)


def _project_short_address(project) -> str:
    if not project.is_public:
        return ""
    link = project_services.short_link_for(
        municipality=project.municipality, target=project.get_public_url()
    )
    return letter_short_address(link)


def _codes_trail(project, survey_round: SurveyRound, *more):
    return project_trail(
        project,
        _survey_link(project),
        crumb_link(survey_round.title, "insights:round_results", project.pk, survey_round.pk),
        *more,
    )


@staff_required
def round_codes(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    """Ask for single-use codes: the worker makes them and prints them on a PDF sheet for the
    letters, which the coordinator downloads from the next page when it is ready.

    Only the codes' hashes are stored: the PDF (kept a day, for its maker) is their only copy.
    """
    project = get_project_for_user(request.user, pk, "insights.run_survey")
    survey_round = get_object_or_404(SurveyRound, pk=round_pk, project=project)
    form = CodesForm(posted(request))
    if request.method == "POST" and form.is_valid():
        link = request.build_absolute_uri(
            reverse("portal:survey_answer", args=[survey_round.token])
        )
        try:
            token = services.codes_request(
                survey_round=survey_round,
                count=form.cleaned_data["count"],
                requested_by=request.user,
                language=translation.get_language(),
                link=link,
                short_address=_survey_short_address(survey_round),
                project_address=_project_short_address(project),
            )
        except services.SurveyError as exc:
            show_error(request, exc, form)
        else:
            return redirect(
                "insights:round_codes_run", pk=project.pk, round_pk=round_pk, token=token
            )
    context = {
        "project": project,
        "round": survey_round,
        "form": form,
        "breadcrumbs": _codes_trail(project, survey_round, _("Single-use codes")),
    }
    return render(request, "insights/codes_form.html", context, status=form_status(form))


@staff_required
def round_codes_run(request: HttpRequest, pk: int, round_pk: int, token: str) -> HttpResponse:
    """The codes being made by the worker, part by part as they are ready, for the one who
    asked for them."""
    project = get_project_for_user(request.user, pk, "insights.run_survey")
    survey_round = get_object_or_404(SurveyRound, pk=round_pk, project=project)
    codes_page = reverse("insights:round_codes", args=[project.pk, survey_round.pk])
    return downloads.run(
        request,
        kind=CODES,
        obj=survey_round,
        token=token,
        back_url=codes_page,
        back_label=_("Single-use codes"),
        breadcrumbs=_codes_trail(
            project,
            survey_round,
            crumb_link(_("Single-use codes"), "insights:round_codes", project.pk, round_pk),
            _("PDF"),
        ),
    )


# Templates ---------------------------------------------------------------------------------


@staff_required
def template_list(request: HttpRequest) -> HttpResponse:
    """The survey templates of the user's municipalities, with their questions and rounds."""
    municipality = get_staff_municipality(request)
    context = {
        "templates": selectors.templates_for_municipalities([municipality.pk]),
        "can_add": rules.has_perm(CHANGE_TEMPLATES, request.user, municipality),
        "breadcrumbs": _templates_trail(),
    }
    return render(request, "insights/template_list.html", context)


@staff_required
def template_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, CHANGE_TEMPLATES)
    form = TemplateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(
                municipality=municipality, name=form.cleaned_data["name"]
            )
        except services.SurveyError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The template was made. Add its questions."))
            return redirect(template)
    context = {
        "form": form,
        "municipality": municipality,
        "breadcrumbs": _templates_trail(_("New survey template")),
    }
    return render(request, "insights/template_form.html", context, status=form_status(form))


@staff_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk)
    context = {
        "template": template,
        "questions": list(template.questions.all()),
        "rounds": list(
            SurveyRound.objects.filter(template=template)
            .select_related("project")
            .filter(project__in=projects_for_user(request.user))
            .order_by("-opens_on")
        ),
        "round_count": template.rounds.count(),
        "versions": list(
            SurveyTemplate.objects.filter(next_versions=template)
            | SurveyTemplate.objects.filter(previous=template)
        ),
        "can_change": rules.has_perm(CHANGE_TEMPLATES, request.user, template.municipality),
        "breadcrumbs": _templates_trail(str(template)),
    }
    return render(request, "insights/template_detail.html", context)


@staff_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk, CHANGE_TEMPLATES)
    form = TemplateForm(posted(request), initial={"name": template.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.template_rename(template=template, name=form.cleaned_data["name"])
        except services.SurveyError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The template was saved."))
            return redirect(template)
    context = {
        "form": form,
        "template": template,
        "municipality": template.municipality,
        "breadcrumbs": _templates_trail(to(template), _("Rename the template")),
    }
    return render(request, "insights/template_form.html", context, status=form_status(form))


@require_POST
@staff_required
def template_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk, CHANGE_TEMPLATES)
    copy = services.template_new_version(template=template)
    messages.success(
        request,
        _(
            "Version %(version)s was made: change it here. Rounds made with the earlier version "
            "keep it."
        )
        % {"version": copy.version},
    )
    return redirect(copy)


def _question_form(request: HttpRequest, template, question=None) -> HttpResponse:
    initial = {}
    if question is not None:
        initial = {
            field: getattr(question, field)
            for field in ("kind", "key", "text", "text_nn", "text_en")
        }
    form = QuestionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                services.question_add(template=template, **form.cleaned_data)
            else:
                services.question_edit(question=question, **form.cleaned_data)
        except services.SurveyError as exc:
            show_error(request, exc, form)
        else:
            if question is None:
                messages.success(request, _("The question was added."))
            else:
                messages.success(request, _("The question was saved."))
            return redirect(template)
    context = {
        "form": form,
        "template": template,
        "question": question,
        "breadcrumbs": _templates_trail(
            to(template), _("Edit the question") if question else _("New question")
        ),
    }
    return render(request, "insights/question_form.html", context, status=form_status(form))


@staff_required
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_form(request, get_template_for_user(request.user, pk, CHANGE_TEMPLATES))


@staff_required
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question_for_user(request.user, pk, question_pk)
    return _question_form(request, question.template, question)


@require_POST
@staff_required
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question_for_user(request.user, pk, question_pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        messages.error(request, _("Choose to move the question up or down."))
        return redirect(question.template)
    try:
        services.question_move(question=question, step=step)
    except services.SurveyError as exc:
        show_error(request, exc)
        return redirect(question.template)
    messages.success(request, _("The question was moved."))
    return redirect(question.template)


@require_POST
@staff_required
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_question_for_user(request.user, pk, question_pk)
    try:
        services.question_remove(question=question)
    except services.SurveyError as exc:
        show_error(request, exc)
        return redirect(question.template)
    messages.success(request, _("The question was removed."))
    return redirect(question.template)


# Dashboards --------------------------------------------------------------------------------

EXPORTS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


def _dashboard_municipality(request: HttpRequest) -> Municipality:
    """The municipality whose dashboard the user reads: the one they work in. A link with
    `?kommune=<slug>` opens another of theirs and switches to it (404 for any other)."""
    slug = request.GET.get("kommune")
    if slug:
        chosen = next((m for m in municipalities_of(request.user) if m.slug == slug), None)
        if chosen is None:
            raise Http404
        enter_municipality(request.user, chosen.pk)
    return get_staff_municipality(request, "insights.view_municipality_dashboard")


def _dashboard_numbers(request: HttpRequest, municipality, project=None):
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else metrics.default_period()
    return form, metrics.dashboard(municipality, project, period)


def _dashboard_page(request: HttpRequest, municipality, project=None, **extra) -> HttpResponse:
    form, numbers = _dashboard_numbers(request, municipality, project)
    query = request.GET.urlencode() if form.is_valid() else ""
    context = {
        "municipality": municipality,
        "project": project,
        "form": form,
        "numbers": numbers,
        "figures": dashboard.key_figures(numbers),
        "sections": dashboard.sections(numbers),
        "export_query": f"?{query}" if query else "",
        "breadcrumbs": project_trail(project, _("Dashboard"))
        if project
        else my_projects_trail(_("Dashboard")),
        **extra,
    }
    return render(request, "insights/dashboard.html", context, status=form_status(form))


def _dashboard_export(
    request: HttpRequest, fmt: str, title: str, name: str, municipality, project=None
):
    if fmt not in EXPORTS:
        raise Http404
    form, numbers = _dashboard_numbers(request, municipality, project)
    if form.is_bound and not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    period = numbers.period
    build = dashboard.as_csv if fmt == "csv" else dashboard.as_xlsx
    response = HttpResponse(build(title, numbers), content_type=EXPORTS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"'
    )
    return response


@staff_required
def project_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's numbers over time: concerns, deadlines, measures, risk, council, routines,
    survey. Aggregates only."""
    project = get_project_for_user(request.user, pk, "insights.view_project_dashboard")
    return _dashboard_page(request, project.municipality, project)


@staff_required
def project_dashboard_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "insights.view_project_dashboard")
    title = _("Dashboard: %(name)s") % {"name": project.name}
    return _dashboard_export(
        request, fmt, title, f"oversikt-{project.slug}", project.municipality, project
    )


@staff_required
def municipality_dashboard(request: HttpRequest) -> HttpResponse:
    """The same numbers across all the municipality's projects."""
    municipality = _dashboard_municipality(request)
    return _dashboard_page(request, municipality, municipalities=[municipality])


@staff_required
def municipality_dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    municipality = _dashboard_municipality(request)
    title = _("Dashboard: %(name)s") % {"name": municipality.name}
    return _dashboard_export(request, fmt, title, f"oversikt-{municipality.slug}", municipality)
