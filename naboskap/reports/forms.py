from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.reports.models import ReportSchedule
from naboskap.reports.services import ReportError, check_period


class ReportForm(forms.Form):
    period_start = DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = DateField(
        label=_("Last day"),
        help_text=_("Today at the latest."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notify = forms.BooleanField(
        label=_("Email the politicians a link to the report"),
        help_text=_("Only the link goes out; they log in to read the report."),
        required=False,
        initial=True,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            try:
                check_period(start, end, timezone.localdate())
            except ReportError as error:
                self.add_error("period_end", error.messages[0])
        return data


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportSchedule
        formfield_callback = bounded_formfield
        fields = ["frequency", "active"]
        widgets = {"frequency": forms.RadioSelect}
