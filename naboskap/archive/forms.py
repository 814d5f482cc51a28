"""The archivist's settings form. It validates only; `services` saves."""

from django import forms

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
