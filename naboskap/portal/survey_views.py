"""The neighbour survey's public answer page, opened from a link or QR code on a letter.

Anonymous by design: nothing about the visitor is stored with a response (no account, no
address, no cookie, only the date). Rate-limited per address like every public form.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from naboskap.insights import services
from naboskap.insights.forms import AnswerForm
from naboskap.insights.models import CODE_FRAGMENT, SurveyRound
from naboskap.lib.http import form_status, posted
from naboskap.lib.ratelimits import write_rate
from naboskap.portal.views import (
    current_municipality,
    public_endpoint,
    refused_context,
    refused_response,
)


def closed(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    return render(request, "portal/survey/closed.html", {"round": survey_round}, status=410)


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    survey_round = (
        SurveyRound.objects.select_related("project", "template")
        .filter(token=token, project__municipality=current_municipality(request))
        .first()
    )
    if survey_round is None:
        raise Http404
    if not survey_round.is_open:
        return closed(request, survey_round)
    questions = list(survey_round.template.questions.all())
    with_code = survey_round.codes.exists()
    # A letter's QR code puts the code in the fragment (`#kode=…`), which the browser keeps to
    # itself and survey-code.js copies into the field; `?kode=` from older letters still works.
    initial = {"code": request.GET.get(CODE_FRAGMENT, "")[:20]} if with_code else {}
    form = AnswerForm(posted(request), questions=questions, with_code=with_code, initial=initial)
    refused = request.method == "POST" and getattr(request, "limited", False)
    if refused:
        # Over the write limit: nothing is stored, the answers come back as given.
        typed = {name: request.POST.get(name, "")[:2000] for name in form.fields}
        form = AnswerForm(None, questions=questions, with_code=with_code, initial=typed)
    elif request.method == "POST" and form.is_valid():
        try:
            services.response_submit(
                survey_round=survey_round,
                answers=form.answers(),
                code=form.cleaned_data.get("code", ""),
            )
        except services.SurveyError as exc:
            code = exc.error_list[0].code
            if code == "closed":
                return closed(request, survey_round)
            for message in exc.messages:
                form.add_error("code" if code == "code" else None, message)
        else:
            return render(request, "portal/survey/thanks.html", {"round": survey_round})
    context = {
        "round": survey_round,
        "form": form,
        "with_code": with_code,
        "error_title": _("Check your answers"),
        **(refused_context(request) if refused else {}),
    }
    response = render(request, "portal/survey/answer.html", context, status=form_status(form))
    if refused:
        refused_response(response)
    if CODE_FRAGMENT in request.GET:
        # The address holds a code: links and requests from this page pass on only the
        # origin, never the address ("no-referrer" would also blank the form's Origin
        # header, which the CSRF check needs).
        response["Referrer-Policy"] = "strict-origin"
    return response


survey_answer = never_cache(
    public_endpoint(
        ratelimit(
            group="portal.survey_answer", key="ip", rate=write_rate, method="POST", block=False
        )(survey_answer)
    )
)
