"""The public side of concerns: the report form, and the reporter's private follow-up page.

The follow-up page is reached with the reference in the path and an unguessable token in
the query string (`?t=…`); its actions take the token as a hidden POST field. Whoever has the
link can read the case, so these pages are never cached and never send a referrer.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import wraps

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from naboskap.concerns import services
from naboskap.concerns.access import get_concern_for_reporter
from naboskap.concerns.forms import ReopenForm, ReplyForm, SatisfactionForm, submission
from naboskap.concerns.models import Category, Concern, Message, normalise_short_code
from naboskap.concerns.workflow import Status
from naboskap.lib import pagecache
from naboskap.lib.breadcrumbs import public_trail
from naboskap.lib.http import form_status, posted
from naboskap.lib.ratelimits import write_rate
from naboskap.maps.coordinates import in_norway
from naboskap.maps.layers import map_spec, place_picker, point
from naboskap.portal.forms import ReportForm
from naboskap.portal.views import (
    CSRF_PLACEHOLDER,
    current_municipality,
    is_anonymous_view,
    page_cache_key,
    public_endpoint,
    public_read,
    refused_context,
    refused_response,
)
from naboskap.projects import selectors
from naboskap.projects.models import Project
from naboskap.stakeholders import sources

# The reporter's progress, in plain words. Cancelled cases show their status text only.
STEPS = [
    (gettext_lazy("Received"), {Status.RECEIVED}),
    (gettext_lazy("Read by us"), {Status.ACKNOWLEDGED}),
    (gettext_lazy("Being handled"), {Status.IN_PROGRESS, Status.WAITING}),
    (gettext_lazy("Answered"), {Status.ANSWERED}),
    (gettext_lazy("Closed"), {Status.CLOSED}),
]
RATED_STATUSES = {Status.ANSWERED, Status.CLOSED}


def write_limited(view, group: str | None = None, *, answers_refusal: bool = False):
    """Writing is limited per address on top of the general public limit. A view that
    `answers_refusal` is not blocked by the decorator: it answers 429 itself, with its form
    and everything typed in it (`is_refused`). Any other view is blocked (the 429 page)."""
    limit = ratelimit(
        group=group, key="ip", rate=write_rate, method="POST", block=not answers_refusal
    )
    return public_endpoint(limit(view))


def write_limited_form(view, group: str | None = None):
    """`write_limited` for a view that answers a refused POST itself (`is_refused`)."""
    return write_limited(view, group, answers_refusal=True)


def is_refused(request: HttpRequest) -> bool:
    """A POST over the write limit: nothing is stored, the form comes back as typed."""
    return request.method == "POST" and getattr(request, "limited", False)


# One limit for the form wherever it is reached from, /meld/ or a project's page.
REPORT_GROUP = "portal.concern_report"


# Never the path (with the token) in a Referer header, to any site. Not `no-referrer`: with
# that, browsers send `Origin: null` with the page's own forms, and the CSRF check refuses them.
REFERRER_POLICY = "strict-origin"


def keep_private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


def private_page(view):
    """The token is in the address: no cache may keep the page, no link may leak it onward."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return keep_private(view(request, *args, **kwargs))

    return wrapper


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


# The report form -------------------------------------------------------------------------


def report(request: HttpRequest) -> HttpResponse:
    return report_form(request, slug=None)


def project_report(request: HttpRequest, slug: str) -> HttpResponse:
    return report_form(request, slug=slug)


report = write_limited_form(report, REPORT_GROUP)
project_report = write_limited_form(project_report, REPORT_GROUP)


class PositionQuery(django_forms.Form):
    lat = django_forms.FloatField()
    lon = django_forms.FloatField()


@public_read
def nearest_address(request: HttpRequest) -> JsonResponse:
    """The address nearest to a place marked on the report form's map, from the address
    register: `{"address": "Lindeveien 14"}`, or null when none is near."""
    query = PositionQuery(request.GET)
    if not query.is_valid() or not in_norway(query.cleaned_data["lat"], query.cleaned_data["lon"]):
        return JsonResponse({"address": None, "error": _("Not a place in Norway.")}, status=400)
    address = sources.nearest_address(
        municipality=current_municipality(request),
        latitude=query.cleaned_data["lat"],
        longitude=query.cleaned_data["lon"],
    )
    return JsonResponse({"address": str(address) if address else None})


def intake_choices(request: HttpRequest) -> tuple[list[Project], list[Category]]:
    """The municipality's public projects and active categories, from the shared cache.

    Everything the form and routing need of them comes along (the units they route to), so a
    submission reads neither table. Changing a project or a category moves the public page
    generation on (`naboskap.lib.pagecache`), which retires these lists too.
    """
    municipality = current_municipality(request)
    key = f"intake-choices:{pagecache.generation(request)}:{municipality.pk}"
    choices = cache.get(key)
    if choices is None:
        categories = Category.objects.filter(municipality=municipality)
        if not categories.exists():
            services.categories_ensure_defaults(municipality=municipality)
        projects = selectors.public_projects(municipality).select_related("responsible_unit")
        choices = (
            list(projects.order_by("name")),
            list(categories.filter(active=True).select_related("default_unit")),
        )
        cache.set(key, choices, settings.PUBLIC_PAGE_CACHE_SECONDS)
    projects, categories = choices
    for project in projects:
        project.municipality = municipality  # already loaded for this request
    return projects, categories


# The whole form page is cached for anonymous visitors with these in place of the CSRF token
# and the one-time key; each response gets its own.
KEY_PLACEHOLDER = "naboskap-idempotency-key-placeholder"


def report_form(request: HttpRequest, slug: str | None) -> HttpResponse:
    whole_page = request.method == "GET" and is_anonymous_view(request) and not request.GET
    html = cache.get(page_cache_key(request, "report")) if whole_page else None
    if html is None:
        response = render_report_form(request, slug, whole_page)
        if response.status_code != 200 or not whole_page:
            return response
        html = response.content.decode()
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    html = html.replace(KEY_PLACEHOLDER, new_idempotency_key())
    return private_form(HttpResponse(html))


def private_form(response: HttpResponse) -> HttpResponse:
    # The page holds a one-time key: no shared cache may hand it to someone else. It may stay
    # in the visitor's own history, so that "back" and "send" again land on the same report.
    patch_cache_control(response, private=True, no_cache=True, max_age=0)
    return response


def render_report_form(request: HttpRequest, slug: str | None, whole_page: bool) -> HttpResponse:
    projects, categories = intake_choices(request)
    project = None
    # A project's own "Report a concern" keeps it chosen: its page's path, or `?prosjekt=`.
    chosen = slug if slug is not None else request.GET.get("prosjekt", "")[:80] or None
    if chosen is not None:
        project = next((p for p in projects if p.slug == chosen), None)
        if project is None and slug is not None:
            raise Http404
    initial = {"idempotency_key": KEY_PLACEHOLDER if whole_page else new_idempotency_key()}
    if project is not None:
        initial["project"] = project.pk
    if is_refused(request):
        # Over the write limit: nothing is sent; the form comes back as typed (not the photos).
        form = ReportForm(
            keep_typed(request.POST), initial=initial, projects=projects, categories=categories
        )
        context = {
            "form": form,
            "project": project,
            "breadcrumbs": project and public_trail(project, _("Report a concern")),
            "map": report_map(projects, project),
            **refused_context(request, photos=True),
        }
        response = render(request, "portal/concerns/report.html", context)
        return private_form(refused_response(response))
    files = request.FILES if request.method == "POST" else None
    form = ReportForm(
        posted(request), files, initial=initial, projects=projects, categories=categories
    )
    if request.method == "POST" and form.is_valid():
        concern, created = submit(request, form)
        # The receipt page (the first follow-up page after sending) shows what was received,
        # once: the flag is consumed when the page is shown, so a reload does not show it.
        request.session[RECEIPT_SESSION_KEY] = concern.pk
        if created:
            messages.success(request, receipt_text(concern))
        else:
            messages.info(
                request,
                _("You had already sent this report. Here it is again: reference %(reference)s.")
                % {"reference": concern.reference},
            )
        return keep_private(redirect(concern.get_follow_up_url()))
    if form.is_bound and form.errors:
        # A fresh key for the corrected report, and an empty honeypot for the person who
        # could not see it (a browser's autofill): everything they typed stays.
        data = form.data.copy()
        data["idempotency_key"] = new_idempotency_key()
        data["website"] = ""
        form.data = data
    context = {
        "form": form,
        "project": project,
        "breadcrumbs": project and public_trail(project, _("Report a concern")),
        "map": report_map(projects, project),
    }
    if whole_page:
        context["csrf_token"] = CSRF_PLACEHOLDER
    response = render(request, "portal/concerns/report.html", context, status=form_status(form))
    if whole_page and settings.PUBLIC_PAGE_CACHE_SECONDS > 0:
        cache.set(
            page_cache_key(request, "report"),
            response.content.decode(),
            settings.PUBLIC_PAGE_CACHE_SECONDS,
        )
    return private_form(response)


def report_map(projects: list[Project], project: Project | None) -> dict:
    """The report form's map: the public projects' sites for bearings, centred on the chosen
    one; a tap marks where it happened."""
    placed = [p for p in projects if p.latitude is not None and p.longitude is not None]
    centre = project if project in placed else None
    return map_spec(
        "report",
        label=_("Map: tap where it happened"),
        features=[point(p.latitude, p.longitude, label=p.name) for p in placed],
        centre=(centre.latitude, centre.longitude) if centre else None,
        picker=place_picker(
            "report",
            latitude_field="latitude",
            longitude_field="longitude",
            location_field="location",
            nearest_url=reverse("portal:nearest_address"),
        ),
    )


def keep_typed(data):
    """The posted fields to show again, with a fresh one-time key and an empty honeypot."""
    data = data.copy()
    data["idempotency_key"] = new_idempotency_key()
    data["website"] = ""
    return data


def submit(request: HttpRequest, form: ReportForm) -> tuple[Concern, bool]:
    return services.concern_submit(
        municipality=current_municipality(request),
        **submission(form.cleaned_data),
        language=get_language(),
        photos=form.cleaned_data.get("photos") or [],
    )


RECEIPT_SESSION_KEY = "portal.concern_receipt"


def receipt_shown_once(request: HttpRequest, concern: Concern) -> bool:
    """Whether this request is the receipt right after sending `concern` (and consume it)."""
    if request.session.get(RECEIPT_SESSION_KEY) != concern.pk:
        return False
    del request.session[RECEIPT_SESSION_KEY]
    return True


def receipt_text(concern: Concern) -> str:
    text = _(
        "Thank you. Your report has the reference %(reference)s. We will answer by "
        "%(date)s. Bookmark this page or keep its address: it is your private link to follow "
        "the case."
    ) % {"reference": concern.reference, "date": date_format(concern.answer_due)}
    if concern.reporter_email:
        text += " " + _("We have also sent the link to your email address.")
    return text


# The follow-up page ----------------------------------------------------------------------


@private_page
@public_read
def follow_up(request: HttpRequest, reference: str) -> HttpResponse:
    concern = reporter_concern(request, reference, request.GET.get("t", ""))
    return follow_up_page(request, concern, receipt=receipt_shown_once(request, concern))


def reporter_concern(request: HttpRequest, reference: str, token: str) -> Concern:
    return get_concern_for_reporter(current_municipality(request), reference, token)


def steps_for(concern: Concern) -> list[dict]:
    if concern.status == Status.CANCELLED:
        return []
    current = next(i for i, (_label, statuses) in enumerate(STEPS) if concern.status in statuses)
    return [
        {
            "label": label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, (label, _statuses) in enumerate(STEPS)
    ]


def contact_erase_day(concern: Concern):
    """The day the retention rule deletes the reporter's contact details, once it is closed."""
    if concern.closed_at is None:
        return None
    days = services.policy_for(concern.municipality_id).erase_contact_after_days
    return timezone.localdate(concern.closed_at) + timedelta(days=days)


def contact_kinds(concern: Concern) -> list[str]:
    kinds = []
    if concern.reporter_name:
        kinds.append(_("your name"))
    if concern.reporter_email:
        kinds.append(_("your email address"))
    if concern.reporter_phone:
        kinds.append(_("your phone number"))
    return kinds


def follow_up_page(
    request: HttpRequest,
    concern: Concern,
    *,
    forms: dict | None = None,
    error: str = "",
    status: int = 200,
    refused: bool = False,
    receipt: bool = False,
) -> HttpResponse:
    forms = forms or {}
    # Only what was written to and by the reporter: internal notes never leave the staff side.
    conversation = concern.messages.filter(
        kind__in=[Message.Kind.TO_REPORTER, Message.Kind.FROM_REPORTER]
    )
    context = {
        "concern": concern,
        "steps": steps_for(concern),
        "conversation": conversation,
        "from_reporter": Message.Kind.FROM_REPORTER,
        "can_reply": concern.is_open,
        "can_rate": concern.status in RATED_STATUSES and concern.satisfaction is None,
        "can_reopen": services.can_request_reopen(concern),
        "contact_kinds": contact_kinds(concern),
        "contact_erased_on": contact_erase_day(concern),
        "reply_form": forms.get("reply") or ReplyForm(),
        "satisfaction_form": forms.get("satisfaction") or SatisfactionForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "error": error,
        "receipt": receipt,
        "private_link": request.build_absolute_uri(concern.get_follow_up_url()),
        **(refused_context(request) if refused else {}),
    }
    return render(request, "portal/concerns/follow_up.html", context, status=status)


def back_to(concern: Concern) -> HttpResponse:
    return redirect(concern.get_follow_up_url())


def follow_up_action(view):
    """A POST from the follow-up page: the token comes as the hidden field `t`."""

    @private_page
    @require_POST
    @write_limited_form
    @wraps(view)
    def wrapper(request, reference: str):
        concern = reporter_concern(request, reference, request.POST.get("t", ""))
        if is_refused(request):
            # Nothing is stored: the page comes back with what was typed in the form.
            kind = REFUSED_FORMS.get(view.__name__)
            forms = {kind[0]: kind[1](request.POST)} if kind else {}
            response = follow_up_page(request, concern, forms=forms, refused=True)
            return refused_response(response)
        return view(request, concern)

    return wrapper


@follow_up_action
def reply(request: HttpRequest, concern: Concern) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not concern.is_open:
        error = _("The case is closed. You can ask us to reopen it, or send a new report.")
        return follow_up_page(request, concern, forms={"reply": form}, error=error, status=400)
    if not form.is_valid():
        return follow_up_page(request, concern, forms={"reply": form}, status=400)
    try:
        services.reporter_reply(concern=concern, body=form.cleaned_data["body"])
    except services.WorkflowError as error:  # the case changed meanwhile
        return follow_up_page(request, concern, forms={"reply": form}, error=str(error), status=400)
    messages.success(request, _("Thank you. Your message has been added to the case."))
    return back_to(concern)


@follow_up_action
def erase_contact(request: HttpRequest, concern: Concern) -> HttpResponse:
    if concern.has_contact:
        services.contact_erase(concern=concern)
        messages.success(
            request,
            _(
                "Your contact details have been deleted. Keep the address of this page: it is "
                "now the only way to follow the case."
            ),
        )
    return back_to(concern)


@follow_up_action
def satisfaction(request: HttpRequest, concern: Concern) -> HttpResponse:
    form = SatisfactionForm(request.POST)
    if concern.satisfaction is not None:
        messages.info(request, _("You have already told us what you think. Thank you."))
        return back_to(concern)
    if not form.is_valid():
        return follow_up_page(request, concern, forms={"satisfaction": form}, status=400)
    try:
        services.satisfaction_give(
            concern=concern,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except services.WorkflowError as error:
        return follow_up_page(
            request, concern, forms={"satisfaction": form}, error=str(error), status=400
        )
    messages.success(request, _("Thank you for telling us what you think."))
    return back_to(concern)


@follow_up_action
def reopen(request: HttpRequest, concern: Concern) -> HttpResponse:
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return follow_up_page(request, concern, forms={"reopen": form}, status=400)
    try:
        services.reopen_request(concern=concern, reason=form.cleaned_data["reason"])
    except services.WorkflowError as error:
        return follow_up_page(
            request, concern, forms={"reopen": form}, error=str(error), status=400
        )
    messages.success(request, _("The case is open again. We will look at it and answer you."))
    return back_to(concern)


# The follow-up page's forms, by action, shown again as typed when the write limit refuses.
REFUSED_FORMS = {
    "reply": ("reply", ReplyForm),
    "satisfaction": ("satisfaction", SatisfactionForm),
    "reopen": ("reopen", ReopenForm),
}


# The short follow-up address from a receipt letter: /m/<reference>/ and a code ------------


class ShortCodeForm(django_forms.Form):
    code = django_forms.CharField(
        label=gettext_lazy("The code from your letter"),
        max_length=20,
        help_text=gettext_lazy("Eight letters and digits, like ABCD-2345."),
        widget=django_forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


def short_link_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Asks for the code from the receipt letter; the right one leads to the follow-up page.
    A wrong code (or a reference that does not exist) gets the same answer; guesses count
    against the write limit."""
    form = ShortCodeForm(posted(request))
    status = 200
    if is_refused(request):
        context = {"form": ShortCodeForm(initial={"code": request.POST.get("code", "")[:20]})}
        context.update(reference=reference, **refused_context(request))
        response = render(request, "portal/concerns/short_link.html", context)
        return keep_private(refused_response(response))
    if request.method == "POST" and form.is_valid():
        concern = (
            Concern.objects.filter(municipality=current_municipality(request), reference=reference)
            .only("reference", "token")
            .first()
        )
        typed = normalise_short_code(form.cleaned_data["code"])
        if concern is not None and constant_time_compare(typed, concern.short_code):
            return keep_private(redirect(concern.get_follow_up_url()))
        form.add_error("code", _("The reference and the code do not match. Check the letter."))
    if form.is_bound and form.errors:
        status = 400
    context = {"form": form, "reference": reference}
    response = render(request, "portal/concerns/short_link.html", context, status=status)
    return keep_private(response)


short_link = write_limited_form(short_link_view, "portal.concern_short")
