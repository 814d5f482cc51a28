"""Publishing the public summary of an approved analysis: the form, the preview that shows
exactly what the public will see, publishing (which replaces an earlier one) and taking it
down. The public pages are in portal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.http import form_status, posted
from naboskap.risk import selectors, services
from naboskap.risk.access import get_analysis_for_user
from naboskap.risk.breadcrumbs import risk_trail
from naboskap.risk.forms import SummaryPublishForm
from naboskap.risk.models import Analysis, PublishedSummary
from naboskap.tenancy.access import staff_required

PERM = "risk.publish_summary"


@staff_required
def summary_publish(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    """GET: the form. POST: "preview" shows the summary as the public will see it, with the
    values kept in the form; "publish" publishes it; "edit" goes back to the form."""
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, PERM)
    project = analysis.project
    published = PublishedSummary.objects.filter(series=analysis.series).first()
    events = list(analysis.events.order_by("number"))
    earlier = {}
    if published is not None:
        earlier = {e["lineage"]: e.get("description", "") for e in published.content["events"]}
    form = SummaryPublishForm(
        posted(request),
        events=events,
        organisations=selectors.summary_organisations(analysis),
        initial_descriptions=earlier,
        published_organisations=published.content["organisations"] if published else None,
    )
    context = {
        "project": project,
        "analysis": analysis,
        "form": form,
        "published": published,
        "is_approved": analysis.status == Analysis.Status.APPROVED,
        "breadcrumbs": risk_trail(project, _("Publish the risk summary"), analysis=analysis),
    }
    action = request.POST.get("action", "preview")
    if request.method == "POST" and context["is_approved"] and form.is_valid():
        descriptions = form.descriptions()
        organisations = form.cleaned_data["organisations"]
        if action == "publish":
            services.summary_publish(
                analysis=analysis,
                published_by=request.user,
                descriptions=descriptions,
                organisations=organisations,
            )
            messages.success(request, _("The risk summary is published on the project page."))
            return redirect("risk:summary_publish", pk=project.pk, analysis_pk=analysis.pk)
        if action == "preview":
            now = timezone.now()
            context["preview"] = {
                "content": selectors.summary_display(
                    selectors.summary_content(
                        analysis, descriptions=descriptions, organisations=organisations
                    )
                ),
                "published_at": now,
                "first_published_at": published.first_published_at if published else now,
                "is_updated": published is not None,
            }
            context["breadcrumbs"] = risk_trail(
                project, _("Preview of the risk summary"), analysis=analysis
            )
            return render(request, "risk/summary_preview.html", context)
    status = 200
    if request.method == "POST" and action != "edit":
        # An invalid form, or an analysis that is not approved (nothing can be published).
        status = form_status(form) if context["is_approved"] else 400
    return render(request, "risk/summary_publish.html", context, status=status)


@require_POST
@staff_required
def summary_unpublish(request: HttpRequest, pk: int, analysis_pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk, analysis_pk, PERM)
    services.summary_unpublish(analysis=analysis)
    messages.success(request, _("The risk summary is no longer public."))
    return redirect("risk:summary_publish", pk=analysis.project.pk, analysis_pk=analysis.pk)
