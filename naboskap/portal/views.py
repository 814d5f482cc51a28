"""What the public sees: project pages, news, feeds and email subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from naboskap.lib import pagecache
from naboskap.lib.breadcrumbs import link, public_trail, trail
from naboskap.lib.http import form_status, posted
from naboskap.lib.ratelimits import rate_window, read_rate, write_rate
from naboskap.maps.layers import map_spec, point
from naboskap.meetings import selectors as meeting_selectors
from naboskap.plans import selectors as plan_selectors
from naboskap.portal.forms import SubscribeForm
from naboskap.projects import selectors, services
from naboskap.projects.models import PHASE_ORDER, Phase, Project, Subscription
from naboskap.risk import selectors as risk_selectors
from naboskap.scheduling.services import warnings as job_warnings

UPDATES_ON_PAGE = 10
UPDATES_PER_PAGE = 20


def public_endpoint(view):
    """Rate-limit a public view by client address (every public endpoint has a limit)."""
    return ratelimit(key="ip", rate=read_rate, block=True)(view)


def public_read(view):
    return require_GET(public_endpoint(view))


def current_municipality(request: HttpRequest):
    municipality = request.municipality
    if not municipality:
        raise Http404
    return municipality


def get_public_project(request: HttpRequest, slug: str) -> Project:
    municipality = current_municipality(request)
    project = selectors.public_projects(municipality).filter(slug=slug).first()
    if project is None:
        raise Http404
    project.municipality = municipality  # already loaded for this request
    return project


@public_read
def home(request: HttpRequest) -> HttpResponse:
    municipality = current_municipality(request)
    projects = list(selectors.public_projects(municipality).order_by("name"))
    return render(
        request, "portal/home.html", {"projects": projects, "map": projects_map(projects)}
    )


def cache_timeout(project: Project) -> int:
    """How long the project's cached page may live: a scheduled update shortens it, so the
    update appears when its time comes."""
    timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
    scheduled = selectors.next_scheduled_update(project)
    if scheduled is not None:
        timeout = min(timeout, int((scheduled - timezone.now()).total_seconds()) + 1)
    return timeout


def page_cache_key(request: HttpRequest, part: str) -> str:
    """Everything a cached public page depends on: the generation (which every change to
    public content moves on), the host and municipality prefix, the path and the language."""
    return ":".join(
        [
            "public-page",
            part,
            str(pagecache.generation(request)),
            request.get_host(),
            get_script_prefix(),
            request.path_info,
            get_language(),
        ]
    )


def phase_steps(project: Project) -> dict:
    """The phases as a compact timeline: every step up to operation (closed only when it
    is), with those before the current one marked as done."""
    steps = [(value, label) for value, label in Phase.choices if value != Phase.CLOSED]
    if project.phase == Phase.CLOSED:
        steps.append((Phase.CLOSED.value, Phase.CLOSED.label))
    current = PHASE_ORDER.index(project.phase)
    return {"phase_steps": steps, "phases_done": PHASE_ORDER[:current]}


def site_map(project: Project) -> dict | None:
    """The project's site on a map (a facility's address is public anyway)."""
    if project.latitude is None or project.longitude is None:
        return None
    return map_spec(
        "site",
        label=_("Map of where %(name)s is") % {"name": project.name},
        features=[point(project.latitude, project.longitude, label=project.name)],
        centre=(project.latitude, project.longitude),
    )


def projects_map(projects: list[Project]) -> dict | None:
    """All public projects of the municipality on one map."""
    placed = [p for p in projects if p.latitude is not None and p.longitude is not None]
    if not placed:
        return None
    return map_spec(
        "projects",
        label=_("Map of the housing projects"),
        features=[point(p.latitude, p.longitude, label=p.name) for p in placed],
        zoom=15,
    )


def project_content(request: HttpRequest, project: Project) -> str:
    """The project page's main content, cached in the shared cache."""
    key = page_cache_key(request, "content")
    html = cache.get(key)
    if html is None:
        context = {
            "project": project,
            "phase_changes": project.phase_changes.all(),
            "planned_phases": list(project.planned_phases.all()),
            "contact_points": project.contact_points.all(),
            "map": site_map(project),
            "updates": list(selectors.published_updates(project)[: UPDATES_ON_PAGE + 1]),
            "updates_on_page": UPDATES_ON_PAGE,
            "measures": plan_selectors.public_measures(project),
            "risk_summaries": risk_selectors.public_summaries(project),
            **phase_steps(project),
            "meetings": meeting_selectors.public_upcoming_meetings(project),
            "public_minutes": meeting_selectors.public_minutes(project)[
                : meeting_selectors.PUBLIC_MINUTES_ON_PAGE
            ],
        }
        html = render_to_string("portal/project_content.html", context, request=request)
        timeout = cache_timeout(project)
        if timeout > 0:
            cache.set(key, html, timeout)
    return html


def is_anonymous_view(request: HttpRequest) -> bool:
    """The page is the same for every anonymous visitor with nothing pending to be told."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


# The whole page is cached with this in place of the CSRF token; each response gets its own.
CSRF_PLACEHOLDER = "naboskap-csrf-placeholder"


@public_read
def project(request: HttpRequest, slug: str) -> HttpResponse:
    # Anonymous visitors (without a query string, which would make each variant an entry of
    # its own) get the whole page from the cache, with no database query.
    whole_page = is_anonymous_view(request) and not request.GET
    key = page_cache_key(request, "page")
    html = cache.get(key) if whole_page else None
    if html is None:
        project = get_public_project(request, slug)
        context = {
            "project": project,
            "content": project_content(request, project),
            "form": SubscribeForm(),
            "breadcrumbs": trail(link(_("Housing projects"), "portal:home"), project.name),
        }
        if whole_page:
            context["csrf_token"] = CSRF_PLACEHOLDER
        html = render_to_string("portal/project.html", context, request=request)
        timeout = cache_timeout(project)
        if whole_page and timeout > 0:
            cache.set(key, html, timeout)
    if whole_page:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return HttpResponse(html)


@public_read
def project_updates(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    page = Paginator(selectors.published_updates(project), UPDATES_PER_PAGE).get_page(
        request.GET.get("side")
    )
    context = {
        "project": project,
        "page": page,
        "breadcrumbs": public_trail(project, _("News about %(name)s") % {"name": project.name}),
    }
    return render(request, "portal/project_updates.html", context)


@public_endpoint
@ratelimit(key="ip", rate=write_rate, method="POST", block=False)
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    form = SubscribeForm(posted(request))
    if request.method == "POST" and getattr(request, "limited", False):
        # Over the write limit: nothing is sent, the address stays in the form.
        form = SubscribeForm(initial={"email": request.POST.get("email", "")[:254]})
        context = {"project": project, "form": form, **refused_context(request)}
        return refused_response(render(request, "portal/subscribe.html", context))
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
    """Liveness and readiness: the process answers and the database answers. The detail
    names the scheduled jobs that are late or whose last run failed (a warning for the
    operator, not a reason to take the process out of the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        jobs = job_warnings()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "jobs": jobs})


def retry_text(seconds: int) -> str:
    """When a refused visitor can try again, in words: the end of the limit's window."""
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    if seconds <= 60:
        return _("within a minute")
    if hours < 1:
        return ngettext("within %(count)d minute", "within %(count)d minutes", round(minutes)) % {
            "count": round(minutes)
        }
    if hours == 1:
        return _("within an hour")
    if days < 1:
        count = -(-seconds // 3600)
        return ngettext("within %(count)d hour", "within %(count)d hours", count) % {"count": count}
    count = -(-seconds // 86400)
    if count == 1:
        return _("within a day")
    return ngettext("within %(count)d day", "within %(count)d days", count) % {"count": count}


def refused_context(request: HttpRequest, *, photos: bool = False) -> dict:
    """What a public form refused by the write limit tells the visitor (portal/includes/
    refused.html): nothing was sent, what they typed is still there, when they can send it
    again (the window of PUBLIC_WRITE_RATE), and the municipality's phone number."""
    municipality = getattr(request, "municipality", None)
    return {
        "refused": {
            "retry": retry_text(rate_window(settings.PUBLIC_WRITE_RATE)),
            "phone": getattr(municipality, "phone", "") or "",
            "photos": photos,
        }
    }


def refused_response(response: HttpResponse) -> HttpResponse:
    """A form page answering 429: the status and when to come back."""
    response.status_code = 429
    response["Retry-After"] = str(rate_window(settings.PUBLIC_WRITE_RATE))
    return response


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    rate = settings.PUBLIC_WRITE_RATE if request.method == "POST" else settings.PUBLIC_READ_RATE
    seconds = rate_window(rate)
    municipality = getattr(request, "municipality", None)
    context = {
        "retry": retry_text(seconds),
        "phone": getattr(municipality, "phone", "") or "",
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


@public_read
def risk_summary(request: HttpRequest, slug: str) -> HttpResponse:
    """The project's published risk summaries in full: events, risk before and after,
    measures, the matrix as a table and the organisations that took part."""
    project = get_public_project(request, slug)
    summaries = risk_selectors.public_summaries(project)
    if not summaries:
        raise Http404
    context = {
        "project": project,
        "summaries": summaries,
        "breadcrumbs": public_trail(project, _("Risk and measures")),
    }
    return render(request, "portal/risk_summary.html", context)
