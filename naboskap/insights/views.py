"""Staff pages of the neighbour survey: a project's rounds, a new round, a round's results."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from naboskap.insights import selectors, services
from naboskap.insights.forms import CodesForm, RoundForm
from naboskap.insights.models import MIN_GROUP_SIZE, SurveyRound
from naboskap.lib.http import form_status, posted
from naboskap.lib.pdf import render_pdf
from naboskap.projects.access import get_project_for_user
from naboskap.risk.views import qr_svg
from naboskap.tenancy.access import staff_required


@staff_required
def rounds(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's survey rounds and the trend across them."""
    project = get_project_for_user(request.user, pk, "insights.view_survey")
    context = {
        "project": project,
        "can_run": rules.has_perm("insights.run_survey", request.user, project),
        "min_group": MIN_GROUP_SIZE,
        **selectors.project_trend(project),
    }
    return render(request, "insights/rounds.html", context)


@staff_required
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "insights.run_survey")
    services.template_ensure_default(municipality=project.municipality)
    form = RoundForm(posted(request), municipality=project.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            survey_round = services.round_create(project=project, **form.cleaned_data)
        except services.SurveyError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The survey round was created."))
            return redirect("insights:round_results", pk=project.pk, round_pk=survey_round.pk)
    context = {"project": project, "form": form}
    return render(request, "insights/round_form.html", context, status=form_status(form))


@staff_required
def round_results(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, "insights.view_survey")
    survey_round = get_object_or_404(
        SurveyRound.objects.select_related("template"), pk=round_pk, project=project
    )
    link = request.build_absolute_uri(reverse("portal:survey_answer", args=[survey_round.token]))
    context = {
        "project": project,
        "round": survey_round,
        "link": link,
        "can_run": rules.has_perm("insights.run_survey", request.user, project),
        "qr": qr_svg(link, _("QR code for the survey")),
        "min_group": MIN_GROUP_SIZE,
        **selectors.round_results(survey_round),
    }
    return render(request, "insights/round_results.html", context)


@staff_required
def round_codes(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    """Generate single-use codes and download them as a PDF sheet for the letters.

    Only the codes' hashes are stored: the PDF is their only copy.
    """
    project = get_project_for_user(request.user, pk, "insights.run_survey")
    survey_round = get_object_or_404(SurveyRound, pk=round_pk, project=project)
    form = CodesForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.codes_generate(
                survey_round=survey_round, count=form.cleaned_data["count"]
            )
        except services.SurveyError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            link = request.build_absolute_uri(
                reverse("portal:survey_answer", args=[survey_round.token])
            )
            context = {"project": project, "round": survey_round, "link": link, "codes": codes}
            content = render_pdf("insights/codes_pdf.html", context, request=request)
            response = HttpResponse(content, content_type="application/pdf")
            filename = f"koder-{project.slug}-{survey_round.pk}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    context = {"project": project, "round": survey_round, "form": form}
    return render(request, "insights/codes_form.html", context, status=form_status(form))
