"""Staff pages: the stakeholder register as CSV and XLSX files, out and in."""

from __future__ import annotations

import rules
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from naboskap.lib.http import form_status, posted
from naboskap.lib.spreadsheets import CSV_TYPE, XLSX_TYPE
from naboskap.stakeholders import register_io, selectors
from naboskap.stakeholders.access import register_municipality
from naboskap.stakeholders.forms import ENCODINGS
from naboskap.tenancy.access import staff_required

KINDS = {"organisasjoner": "organisations", "personer": "persons"}
MAX_BYTES = 5 * 1024 * 1024


class RegisterImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[
            ("organisations", gettext_lazy("Organisations")),
            ("persons", gettext_lazy("Persons")),
        ],
    )
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("At most 5 MB. The first line names the columns."),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding (CSV only)"), choices=ENCODINGS, initial="utf-8"
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only: report what would happen, save nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than 5 MB."))
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(gettext_lazy("Upload a .csv or .xlsx file."))
        return upload


@staff_required
def register_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    municipality = register_municipality(request)
    if KINDS[kind] == "organisations":
        if not rules.has_perm("stakeholders.view_organisations", request.user, municipality):
            raise PermissionDenied
        rows = register_io.organisation_rows(selectors.organisations_in(municipality))
    else:
        if not rules.has_perm("stakeholders.view_persons", request.user, municipality):
            raise PermissionDenied
        persons = (
            selectors.persons_for_user(request.user, municipality)
            .select_related("organisation")
            .prefetch_related("tags", "projects")
            .order_by("name", "pk")
        )
        rows = register_io.person_rows(persons)
    response = HttpResponse(
        register_io.export(rows, fmt), content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE
    )
    filename = f"{kind}-{municipality.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def register_import(request: HttpRequest) -> HttpResponse:
    """Export links for the municipality's staff; the import form for those who add to the
    register."""
    municipality = register_municipality(request)
    if not rules.has_perm("stakeholders.view_organisations", request.user, municipality):
        raise PermissionDenied
    can_import = rules.has_perm("stakeholders.import_register", request.user, municipality)
    if request.method == "POST" and not can_import:
        raise PermissionDenied
    form = RegisterImportForm(posted(request), request.FILES or None)
    report, status = None, form_status(form)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = register_io.register_import(
                municipality=municipality,
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                filename=upload.name,
                encoding=form.cleaned_data["encoding"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except register_io.FileProblem as exc:
            form.add_error("file", str(exc))
            status = 400
        else:
            status = 200
    context = {
        "municipality": municipality,
        "form": form,
        "report": report,
        "organisation_columns": [h for h, _n in register_io.ORGANISATION_COLUMNS],
        "person_columns": [h for h, _n in register_io.PERSON_COLUMNS],
        "sees_persons": rules.has_perm("stakeholders.view_persons", request.user, municipality),
        "title": _("Import and export the register"),
        "can_import": can_import,
    }
    return render(request, "stakeholders/register_import.html", context, status=status)
