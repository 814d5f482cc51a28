"""The archivist's pages (`/app/administrasjon/arkiv/`): what was sent to the archive, when,
what failed and why, what waits; sending again; and what is archived and how."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.archive import selectors, services
from naboskap.archive.forms import SettingsForm
from naboskap.archive.models import Registration, Settings
from naboskap.lib.breadcrumbs import link, my_projects_trail
from naboskap.tenancy.access import get_staff_municipality, staff_required

PAGE_SIZE = 50
USE = "archive.use_archive"


def _trail(*more):
    return my_projects_trail(
        link(_("Archive"), "archive:overview") if more else _("Archive"), *more
    )


def _choice(value: str, choices) -> str:
    return value if value in choices else ""


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, USE)
    status = _choice(request.GET.get("status", ""), Registration.Status.values)
    listed = selectors.registrations_of(municipality, status=status)
    counts = selectors.counts_of(municipality)
    archive = services.settings_of(municipality)
    context = {
        "archive": archive,
        "archived_kinds": capfirst(
            ", ".join(
                str(Settings._meta.get_field(name).verbose_name)
                for name in services.KIND_FIELDS
                if getattr(archive, name)
            )
        ),
        "statuses": [(value, label, counts[value]) for value, label in Registration.Status.choices],
        "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("side")),
        "status": status,
        "breadcrumbs": _trail(),
    }
    return render(request, "archive/overview.html", context)


@staff_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, USE)
    archive = services.settings_of(municipality)
    form = SettingsForm(request.POST or None, instance=archive)
    if request.method == "POST" and form.is_valid():
        services.settings_update(municipality=municipality, **form.cleaned_data)
        messages.success(request, _("The archive settings are saved."))
        return redirect("archive:overview")
    context = {"form": form, "breadcrumbs": _trail(_("Settings"))}
    return render(
        request, "archive/settings_form.html", context, status=400 if form.errors else 200
    )


@staff_required
@require_POST
def resend(request: HttpRequest, registration_pk: int) -> HttpResponse:
    municipality = get_staff_municipality(request, USE)
    found = get_object_or_404(Registration, pk=registration_pk, municipality=municipality)
    services.registration_resend(registration=found)
    messages.success(request, _("It will be sent to the archive again in a moment."))
    return redirect("archive:overview")
