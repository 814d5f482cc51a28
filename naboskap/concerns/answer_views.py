"""Standard answers: the municipality administrator's ready-made texts for messages to
reporters, next to the other settings for concerns. Case handlers insert them on the case
page (`views.message`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.concerns import services
from naboskap.concerns.breadcrumbs import settings_trail
from naboskap.concerns.forms import StandardAnswerForm
from naboskap.concerns.models import StandardAnswer
from naboskap.concerns.placeholders import PLACEHOLDERS
from naboskap.concerns.settings_views import CONFIGURE
from naboskap.lib.breadcrumbs import link
from naboskap.lib.http import form_status, posted
from naboskap.tenancy.access import get_staff_municipality, staff_required


@staff_required
def answer_list(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, CONFIGURE)
    answers = StandardAnswer.objects.filter(municipality=municipality)
    context = {
        "municipality": municipality,
        "answers": answers,
        "placeholders": PLACEHOLDERS,
        "breadcrumbs": settings_trail(_("Standard answers")),
    }
    return render(request, "concerns/answer_list.html", context)


@staff_required
def answer_edit(request: HttpRequest, answer_pk: int | None = None) -> HttpResponse:
    municipality = get_staff_municipality(request, CONFIGURE)
    answer = None
    if answer_pk is not None:
        answer = get_object_or_404(StandardAnswer, pk=answer_pk, municipality=municipality)
    form = StandardAnswerForm(posted(request), instance=answer, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        services.standard_answer_save(answer=form.instance)
        messages.success(request, _("The standard answer was saved."))
        return redirect("concerns:answer_list")
    context = {
        "form": form,
        "answer": answer,
        "placeholders": PLACEHOLDERS,
        "breadcrumbs": settings_trail(
            link(_("Standard answers"), "concerns:answer_list"),
            _("Standard answer: %(title)s") % {"title": answer.title}
            if answer
            else _("New standard answer"),
        ),
    }
    return render(request, "concerns/answer_form.html", context, status=form_status(form))


@require_POST
@staff_required
def answer_retire(request: HttpRequest, answer_pk: int) -> HttpResponse:
    """Take a standard answer out of use (`active=1` takes it into use again)."""
    municipality = get_staff_municipality(request, CONFIGURE)
    answer = get_object_or_404(StandardAnswer, pk=answer_pk, municipality=municipality)
    active = request.POST.get("active") == "1"
    services.standard_answer_retire(answer=answer, active=active)
    if active:
        messages.success(request, _("The standard answer is in use again."))
    else:
        messages.success(
            request,
            _("The standard answer is no longer offered. It is kept, and can be used again."),
        )
    return redirect("concerns:answer_list")
