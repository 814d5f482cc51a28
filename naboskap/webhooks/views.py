"""The administrator's webhook pages (`/app/administrasjon/webhooks/`): the municipality's
endpoints, each with its delivery log, sending a failed delivery again and a test event."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.breadcrumbs import link, my_projects_trail
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.administration.access import MANAGE
from naboskap.webhooks import services
from naboskap.webhooks.forms import EndpointForm
from naboskap.webhooks.models import Delivery, Endpoint, Event

PAGE_SIZE = 50


def _endpoint_for_admin(request: HttpRequest, endpoint_pk: int):
    municipality = get_staff_municipality(request, MANAGE)
    endpoint = get_object_or_404(
        Endpoint.objects.select_related("user"), pk=endpoint_pk, municipality=municipality
    )
    return municipality, endpoint


def _trail(*more):
    return my_projects_trail(
        link(_("Webhooks"), "webhooks:endpoints") if more else _("Webhooks"), *more
    )


def _labels(endpoint: Endpoint) -> list[str]:
    return [str(Event(event).label) for event in endpoint.events if event in Event.values]


@staff_required
def endpoints(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    listed = Endpoint.objects.filter(municipality=municipality).select_related("user")
    rows = [
        {
            "endpoint": endpoint,
            "events": _labels(endpoint),
            "failed": endpoint.deliveries.filter(status=Delivery.Status.FAILED).count(),
        }
        for endpoint in listed
    ]
    context = {"municipality": municipality, "breadcrumbs": _trail(), "rows": rows}
    return render(request, "webhooks/endpoints.html", context)


def _form_data(form: EndpointForm) -> dict:
    data = form.cleaned_data
    return {key: data[key] for key in ("name", "url", "events", "user", "active")}


@staff_required
def endpoint_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    form = EndpointForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        active = data.pop("active")
        endpoint, secret = services.endpoint_create(
            municipality=municipality, by=request.user, **data
        )
        if not active:
            services.endpoint_update(endpoint=endpoint, active=False)
        # The secret is shown on this answer only, never stored in a message or a URL.
        return _secret_page(request, endpoint, secret, created=True)
    context = {
        "form": form,
        "breadcrumbs": _trail(_("New endpoint")),
        "cancel_url": None,
    }
    return render(request, "webhooks/endpoint_form.html", context)


def _secret_page(request, endpoint: Endpoint, secret: str, *, created: bool) -> HttpResponse:
    context = {
        "endpoint": endpoint,
        "secret": secret,
        "created": created,
        "breadcrumbs": _trail(endpoint.name),
    }
    response = render(request, "webhooks/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def endpoint(request: HttpRequest, endpoint_pk: int) -> HttpResponse:
    _municipality, found = _endpoint_for_admin(request, endpoint_pk)
    page = Paginator(services.deliveries_of(found), PAGE_SIZE).get_page(request.GET.get("side"))
    context = {
        "endpoint": found,
        "events": _labels(found),
        "page": page,
        "breadcrumbs": _trail(found.name),
    }
    return render(request, "webhooks/endpoint.html", context)


@staff_required
def endpoint_edit(request: HttpRequest, endpoint_pk: int) -> HttpResponse:
    municipality, found = _endpoint_for_admin(request, endpoint_pk)
    initial = {
        "name": found.name,
        "url": found.url,
        "events": found.events,
        "user": found.user,
        "active": found.active,
    }
    form = EndpointForm(request.POST or None, initial=initial, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        services.endpoint_update(endpoint=found, **_form_data(form))
        messages.success(request, _("The endpoint is saved."))
        return redirect("webhooks:endpoint", found.pk)
    context = {
        "form": form,
        "endpoint": found,
        "breadcrumbs": _trail(link(found.name, "webhooks:endpoint", found.pk), _("Edit")),
    }
    return render(request, "webhooks/endpoint_form.html", context)


@staff_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_pk: int) -> HttpResponse:
    _municipality, found = _endpoint_for_admin(request, endpoint_pk)
    services.endpoint_delete(endpoint=found)
    messages.success(request, _("The endpoint is deleted."))
    return redirect("webhooks:endpoints")


@staff_required
@require_POST
def endpoint_ping(request: HttpRequest, endpoint_pk: int) -> HttpResponse:
    _municipality, found = _endpoint_for_admin(request, endpoint_pk)
    services.ping(endpoint=found)
    messages.success(request, _("A test event will be sent in a moment: see the log below."))
    return redirect("webhooks:endpoint", found.pk)


@staff_required
@require_POST
def endpoint_secret(request: HttpRequest, endpoint_pk: int) -> HttpResponse:
    _municipality, found = _endpoint_for_admin(request, endpoint_pk)
    secret = services.endpoint_new_secret(endpoint=found)
    return _secret_page(request, found, secret, created=False)


@staff_required
@require_POST
def delivery_retry(request: HttpRequest, endpoint_pk: int, delivery_pk: int) -> HttpResponse:
    _municipality, found = _endpoint_for_admin(request, endpoint_pk)
    chosen = get_object_or_404(found.deliveries, pk=delivery_pk)
    if services.retry(found.deliveries.filter(pk=chosen.pk)):
        messages.success(request, _("The event will be sent again."))
    return redirect("webhooks:endpoint", found.pk)
