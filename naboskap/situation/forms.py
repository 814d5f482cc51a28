"""Validation of the situation pages' input: the period and the assessment text."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField
from naboskap.situation.models import Party
from naboskap.situation.services import period_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The picture's period (GET): `fra` and `til`, both days included."""

    fra = DateField(label=_("From"), widget=DATE)
    til = DateField(label=_("To"), widget=DATE)

    def clean(self):
        data = super().clean()
        if "fra" in data and "til" in data:
            try:
                period_check(data["fra"], data["til"])
            except ValidationError as error:
                for message in error.message_dict.values():
                    self.add_error("til", message)
        return data


class AssessmentForm(forms.Form):
    period_start = DateField(label=_("From"), widget=DATE)
    period_end = DateField(label=_("To"), widget=DATE)
    text = forms.CharField(
        label=_("Shared assessment"),
        help_text=_(
            "The challenge around the project as the municipality and the police see it "
            "together. Do not name or describe residents or neighbours."
        ),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def clean(self):
        data = super().clean()
        if "period_start" in data and "period_end" in data:
            try:
                period_check(data["period_start"], data["period_end"])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(name, message)
        return data


class EditForm(forms.Form):
    text = AssessmentForm.base_fields["text"]
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SignForm(forms.Form):
    party = forms.ChoiceField(choices=Party.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
