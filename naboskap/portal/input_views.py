"""The public side of inputs: the suggestion form and the "Du sa – vi gjorde" page.

Suggestions wait for moderation: nothing a neighbour writes is public before staff publish a
curated text. The public page shows that text, the decision with its reason and the status
of the resulting measures; never the original text, who said it or their email address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from naboskap.lib.breadcrumbs import public_trail
from naboskap.lib.http import form_status, posted
from naboskap.lib.ratelimits import write_rate
from naboskap.plans import services
from naboskap.plans.inputs import selectors as input_selectors
from naboskap.plans.models import Input
from naboskap.portal.concern_views import keep_private, new_idempotency_key, private_form
from naboskap.portal.forms import SuggestionForm
from naboskap.portal.views import (
    CSRF_PLACEHOLDER,
    get_public_project,
    is_anonymous_view,
    page_cache_key,
    public_endpoint,
    public_read,
    refused_context,
    refused_response,
)

SUGGEST_GROUP = "portal.input_suggest"
KEPT_FIELDS = ["text", "theme", "contact_email"]


def suggest_limited(view):
    """Writing is limited per address on top of the general public limit. Not blocked by the
    decorator: the view answers 429 with the form and what was typed in it."""
    limit = ratelimit(group=SUGGEST_GROUP, key="ip", rate=write_rate, method="POST", block=False)
    return public_endpoint(limit(view))


@suggest_limited
def suggest(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    if request.method == "POST" and getattr(request, "limited", False):
        # Nothing is stored; the text comes back in the form to send later.
        kept = {name: request.POST.get(name, "")[:5000] for name in KEPT_FIELDS}
        form = SuggestionForm(initial={**kept, "idempotency_key": new_idempotency_key()})
        response = suggest_page(request, project, form, limited=True, status=429)
        return refused_response(response)
    form = SuggestionForm(posted(request), initial={"idempotency_key": new_idempotency_key()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _input, created = services.input_submit_public(
            project=project,
            idempotency_key=data["idempotency_key"],
            text=data["text"].strip(),
            theme=data["theme"].strip(),
            contact_email=data["contact_email"],
        )
        if not created:
            messages.info(request, _("You had already sent this suggestion. We have it."))
        return keep_private(redirect("portal:input_thanks", slug=project.slug))
    if form.is_bound and form.errors:
        # A fresh key for the corrected suggestion and an empty honeypot for the person who
        # could not see it (a browser's autofill): everything they typed stays.
        data = form.data.copy()
        data["idempotency_key"] = new_idempotency_key()
        data["website"] = ""
        form.data = data
    return suggest_page(request, project, form, status=form_status(form))


def suggest_page(request, project, form, *, limited: bool = False, status: int = 200):
    context = {
        "project": project,
        "form": form,
        "limited": limited,
        "breadcrumbs": public_trail(
            project, _("Suggest something for %(name)s") % {"name": project.name}
        ),
    }
    if limited:
        context.update(refused_context(request))
    response = render(request, "portal/inputs/suggest.html", context, status=status)
    return private_form(response)


@public_read
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_public_project(request, slug)
    return keep_private(render(request, "portal/inputs/thanks.html", {"project": project}))


@public_read
def you_said(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Du sa – vi gjorde": published inputs by theme, with decisions and measures.

    Anonymous visitors without a query string get the whole page from the shared cache, like
    the project page; publishing, deciding or adding a measure moves the generation on.
    A change to a measure that is not public itself (its status, counted here) does not
    (`plans.services.measure_update` invalidates for public measures only), so such a change
    shows once the entry expires, within PUBLIC_PAGE_CACHE_SECONDS.
    """
    whole_page = is_anonymous_view(request) and not request.GET
    key = page_cache_key(request, "you-said")
    html = cache.get(key) if whole_page else None
    if html is None:
        project = get_public_project(request, slug)
        inputs = list(input_selectors.published_inputs(project))
        for input in inputs:
            input.public_measures = input_selectors.public_measures_of(input)
        decisions = dict(Input.Decision.choices)
        counts = {value: 0 for value in input_selectors.DECISION_ORDER}
        for input in inputs:
            counts[input.decision] += 1
        context = {
            "project": project,
            "groups": input_selectors.group_by_theme(inputs),
            "input_count": len(inputs),
            "decision_counts": [(decisions[v], n) for v, n in counts.items() if n],
            "breadcrumbs": public_trail(project, _("You said – we did")),
        }
        if whole_page:
            context["csrf_token"] = CSRF_PLACEHOLDER
        html = render_to_string("portal/inputs/you_said.html", context, request=request)
        if whole_page and settings.PUBLIC_PAGE_CACHE_SECONDS > 0:
            cache.set(key, html, settings.PUBLIC_PAGE_CACHE_SECONDS)
    if whole_page:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return HttpResponse(html)
