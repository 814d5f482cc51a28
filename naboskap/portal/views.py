"""What the public sees: project pages, news, feeds and email subscriptions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from naboskap.lib.http import form_status, posted
from naboskap.portal.forms import SubscribeForm
from naboskap.projects import selectors, services
from naboskap.projects.models import Project, Subscription

# Generous for reading, strict for writing: a neighbourhood shares few IP addresses.
READ_RATE = "300/m"
WRITE_RATE = "10/h"
UPDATES_ON_PAGE = 10
UPDATES_PER_PAGE = 20


def public_endpoint(view):
    """Rate-limit a public view by client address (every public endpoint has a limit)."""
    return ratelimit(key="ip", rate=READ_RATE, block=True)(view)


def public_read(view):
    return require_GET(public_endpoint(view))


def current_municipality(request: HttpRequest):
    municipality = request.municipality
    if not municipality:
        raise Http404
    return municipality


def get_public_project(request: HttpRequest, slug: str) -> Project:
    return get_object_or_404(
        selectors.public_projects(current_municipality(request)).select_related("municipality"),
        slug=slug,
    )


@public_read
def home(request: HttpRequest) -> HttpResponse:
    municipality = current_municipality(request)
    projects = selectors.public_projects(municipality).order_by("name")
    return render(request, "portal/home.html", {"projects": projects})


def project_content(request: HttpRequest, project: Project) -> str:
    """The project page's main content, cached in the shared cache.

    The key holds the project's `changed_at`, which every service that changes what this
    shows moves forward, so an edit is visible at once. A scheduled update shortens the
    lifetime so it appears when its time comes.
    """
    key = ":".join(
        [
            "portal-project",
            str(project.pk),
            project.changed_at.isoformat(),
            get_language(),
            get_script_prefix(),
        ]
    )
    html = cache.get(key)
    if html is None:
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        scheduled = selectors.next_scheduled_update(project)
        if scheduled is not None:
            timeout = max(1, min(timeout, int((scheduled - timezone.now()).total_seconds()) + 1))
        context = {
            "project": project,
            "phase_changes": project.phase_changes.all(),
            "planned_phases": project.planned_phases.all(),
            "contact_points": project.contact_points.all(),
            "updates": list(selectors.published_updates(project)[: UPDATES_ON_PAGE + 1]),
            "updates_on_page": UPDATES_ON_PAGE,
        }
        html = render_to_string("portal/project_content.html", context, request=request)
        cache.set(key, html, timeout)
    return html


@public_read
def project(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    context = {
        "project": project,
        "content": project_content(request, project),
        "form": SubscribeForm(),
    }
    return render(request, "portal/project.html", context)


@public_read
def project_updates(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    page = Paginator(selectors.published_updates(project), UPDATES_PER_PAGE).get_page(
        request.GET.get("side")
    )
    return render(request, "portal/project_updates.html", {"project": project, "page": page})


@public_endpoint
@ratelimit(key="ip", rate=WRITE_RATE, method="POST", block=True)
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    form = SubscribeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.subscription_request(
            project=project, email=form.cleaned_data["email"], language=get_language()
        )
        return render(
            request,
            "portal/subscribe_sent.html",
            {"project": project, "email": form.cleaned_data["email"]},
        )
    context = {"project": project, "form": form}
    return render(request, "portal/subscribe.html", context, status=form_status(form))


@never_cache
@public_endpoint
def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST confirms, so that mail scanners following links confirm nothing."""
    subscription = get_object_or_404(
        Subscription.objects.select_related("project__municipality"), token=token
    )
    if request.method == "POST":
        services.subscription_confirm(subscription=subscription)
        messages.success(
            request, _("Thank you. You will now get news about this project by email.")
        )
        return redirect(subscription.project.get_public_url())
    return render(request, "portal/subscription_confirm.html", {"subscription": subscription})


@never_cache
@public_endpoint
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = Subscription.objects.select_related("project__municipality")
    subscription = subscription.filter(token=token).first()
    if request.method == "POST":
        if subscription is not None:
            services.subscription_cancel(subscription=subscription)
        return render(
            request, "portal/unsubscribed.html", {"project": getattr(subscription, "project", None)}
        )
    if subscription is None:
        raise Http404
    return render(request, "portal/unsubscribe.html", {"subscription": subscription})


@never_cache
@public_endpoint
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the process answers and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(int(timedelta(minutes=1).total_seconds()))
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
