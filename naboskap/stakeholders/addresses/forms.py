"""The upload form of the address register."""

from django import forms
from django.utils.translation import gettext_lazy as _

ENCODINGS = [
    ("utf-8", _("UTF-8 (Kartverket's files)")),
    ("cp1252", _("Windows (cp1252, Excel)")),
    ("iso-8859-1", _("ISO 8859-1 (Latin-1)")),
]
# An upload is imported while the browser waits: about 60,000 of Kartverket's rows. Larger
# files go through `manage.py import_addresses`.
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


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
