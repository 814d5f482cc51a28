"""Staff page: the municipality's address register (counts, upload, the last import)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import my_projects_trail
from naboskap.lib.http import form_status, posted
from naboskap.stakeholders.addresses import selectors, services
from naboskap.stakeholders.addresses.access import MANAGE_ADDRESSES
from naboskap.stakeholders.addresses.forms import AddressUploadForm
from naboskap.stakeholders.models import AddressImport
from naboskap.tenancy.access import get_staff_municipality, staff_required


@staff_required
def addresses(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE_ADDRESSES)
    form = AddressUploadForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        record = services.address_import(
            municipality=municipality,
            stream=upload.file,
            size=upload.size,
            filename=upload.name,
            via=AddressImport.Via.UPLOAD,
            encoding=form.cleaned_data["encoding"],
            dry_run=form.cleaned_data["dry_run"],
            started_by=request.user,
        )
        if record.outcome == AddressImport.Outcome.FAILED:
            messages.error(request, record.failure)
        else:
            messages.success(request, _("The file was read. See the report below."))
        return redirect("stakeholders:addresses")
    context = {
        "municipality": municipality,
        "form": form,
        "address_count": municipality.addresses.count(),
        "last_import": selectors.last_import(municipality),
        "breadcrumbs": my_projects_trail(_("Address register")),
    }
    return render(request, "stakeholders/addresses.html", context, status=form_status(form))
