from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.stakeholders.models import (
    RADIUS_DEFAULT_M,
    RADIUS_MAX_M,
    RADIUS_MIN_M,
    Address,
)

ENCODINGS = [
    ("utf-8", _("UTF-8 (Kartverket's files)")),
    ("cp1252", _("Windows (cp1252, Excel)")),
    ("iso-8859-1", _("ISO 8859-1 (Latin-1)")),
]
# An upload is imported while the browser waits: about 60,000 of Kartverket's rows. Larger
# files go through `manage.py import_addresses`.
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class RadiusForm(forms.Form):
    radius_m = forms.IntegerField(
        label=_("Radius (metres)"),
        initial=RADIUS_DEFAULT_M,
        min_value=RADIUS_MIN_M,
        max_value=RADIUS_MAX_M,
        help_text=_("Between 10 and 2,000 metres."),
        error_messages={
            "min_value": _("The radius must be at least %(limit_value)s metres."),
            "max_value": _(
                "The radius can be at most %(limit_value)s metres (2 km). For a wider area, "
                "add addresses by hand."
            ),
            "invalid": _("Enter the radius in whole metres, for example 200."),
        },
    )


class AddressSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Street and number"),
        max_length=100,
        help_text=_("For example: Lindeveien 12B"),
    )


class AddAddressForm(forms.Form):
    address = forms.ModelChoiceField(queryset=Address.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = Address.objects.filter(municipality=municipality)
        self.fields["address"].error_messages["invalid_choice"] = _(
            "That address is not in the municipality's register."
        )


class AddressUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Address file (CSV)"),
        help_text=_("Semicolon-separated, in the layout of Kartverket's address data."),
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, initial="utf-8")
    dry_run = forms.BooleanField(label=_("Only check the file (save nothing)"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 20 MB. Import large files with the command "
                    "manage.py import_addresses."
                )
            )
        return upload
