from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField


class LogFilterForm(forms.Form):
    """The days of the privacy log to show (both included); empty: from the start, to today."""

    fra = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    til = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        since, until = data.get("fra"), data.get("til")
        if since and until and since > until:
            raise forms.ValidationError(_("The start of the period must be before its end."))
        return data
