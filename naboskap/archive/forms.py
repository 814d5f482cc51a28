"""The archivist's settings form. It validates only; `services` saves."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.archive.models import Settings
from naboskap.archive.services import KIND_FIELDS, SETTINGS_FIELDS


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Settings
        fields = SETTINGS_FIELDS
        widgets = {"concern_folder": forms.RadioSelect}

    def general_fields(self):
        return [self[name] for name in SETTINGS_FIELDS if name not in KIND_FIELDS]

    def kind_fields(self):
        return [self[name] for name in KIND_FIELDS]

    def clean_fiks_io_account(self) -> str:
        account = self.cleaned_data["fiks_io_account"].strip()
        if account:
            try:
                account = str(uuid.UUID(account))
            except ValueError:
                raise forms.ValidationError(
                    _("A Fiks IO account id looks like 3f1c0a52-5d1b-4c5e-9a77-0c6f2b9d1e10.")
                ) from None
        return account
