"""The forms of what works: the municipality's settings (how effects are measured, whether
they are shared, and the trust barometer's weighting)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.whatworks.models import BAROMETER_PARTS, Settings

EFFECT_FIELDS = ["window_days", "minimum_concerns", "share_across"]
WEIGHT_FIELDS = [f"weight_{part}" for part in BAROMETER_PARTS]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Settings
        fields = EFFECT_FIELDS + WEIGHT_FIELDS

    def effect_fields(self):
        return [self[name] for name in EFFECT_FIELDS]

    def weight_fields(self):
        return [self[name] for name in WEIGHT_FIELDS]

    def clean(self):
        cleaned = super().clean()
        weights = [cleaned.get(name) for name in WEIGHT_FIELDS]
        if None not in weights and sum(weights) == 0:
            raise forms.ValidationError(
                _(
                    "Give at least one part of the trust barometer a weight above 0: with "
                    "every weight at 0 there is no total to show."
                ),
                code="no_weight",
            )
        return cleaned
