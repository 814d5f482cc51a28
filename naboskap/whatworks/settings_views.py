"""The municipality's settings for what works: /app/hva-virker/innstillinger/, for its
administrators (`whatworks.change_settings`): the windows and the least data of an observed
effect, sharing with the other municipalities, and the trust barometer's weighting."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import section_trail
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.whatworks.forms import SettingsForm
from naboskap.whatworks.models import Settings


@staff_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, "whatworks.change_settings")
    current = Settings.for_municipality(municipality.pk)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        for name, value in form.cleaned_data.items():
            setattr(current, name, value)
        if current.pk:
            current.save(update_fields=list(form.cleaned_data))
        else:
            current.save()
        messages.success(
            request,
            _(
                "The settings are saved. Effects are measured anew within the hour; the trust "
                "barometer's weighting counts from the next reading, and past months keep "
                "theirs."
            ),
        )
        return redirect("whatworks:settings")
    context = {
        "form": form,
        "breadcrumbs": section_trail(_("What works"), "whatworks:catalogue", _("Settings")),
    }
    return render(
        request, "whatworks/settings_form.html", context, status=400 if form.errors else 200
    )
