"""Forms of the place and process analysis, the letter templates and the letter run."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import bounded_formfield
from naboskap.stakeholders.models import (
    LetterTemplate,
    ObjectionTheme,
    PlaceAnalysis,
    ProcessEvent,
    SensitiveSite,
)
from naboskap.stakeholders.places.services import PLACEHOLDERS, check_placeholders


class PlaceTextForm(forms.ModelForm):
    class Meta:
        model = PlaceAnalysis
        formfield_callback = bounded_formfield
        fields = ["site_description", "conclusions", "recommendations"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}


class SensitiveSiteForm(forms.Form):
    """A sensitive place, marked on the map (the hidden latitude and longitude) or found by
    its address in the register; never typed coordinates."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SensitiveSite.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address (if not marked on the map)"),
        max_length=150,
        required=False,
        help_text=_("A street and number from the address register, such as Lindeveien 14."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if "latitude" in self.errors or "longitude" in self.errors:
            self.errors.pop("latitude", None)
            self.errors.pop("longitude", None)
            raise ValidationError(
                _("The place marked on the map could not be read. Mark it again.")
            )
        marked = data.get("latitude") is not None or data.get("longitude") is not None
        if not marked and not (data.get("address") or "").strip():
            raise ValidationError(_("Mark the place on the map, or give its address."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "name": data["name"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "address": data["address"].strip(),
            "note": data["note"],
        }


class ProcessEventForm(forms.ModelForm):
    class Meta:
        model = ProcessEvent
        formfield_callback = bounded_formfield
        fields = ["occurred_on", "kind", "title", "description", "source"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The process so far cannot have events in the future."))
        return day


class ObjectionThemeForm(forms.ModelForm):
    class Meta:
        model = ObjectionTheme
        formfield_callback = bounded_formfield
        fields = ["name", "count", "note"]


class LetterTemplateForm(forms.ModelForm):
    for_municipality = forms.BooleanField(
        label=_("Use for every project in the municipality"), required=False
    )

    class Meta:
        model = LetterTemplate
        formfield_callback = bounded_formfield
        fields = ["name", "heading", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, may_share: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = _("Placeholders: %(list)s.") % {
            "list": "; ".join(f"{{{name}}}: {text}" for name, text in PLACEHOLDERS.items())
        }
        self.fields["body"].help_text = help_text
        self.fields["heading"].help_text = _("E.g. Invitation: {title}")
        if not may_share:
            del self.fields["for_municipality"]

    def clean_heading(self):
        check_placeholders(self.cleaned_data["heading"])
        return self.cleaned_data["heading"]

    def clean_body(self):
        check_placeholders(self.cleaned_data["body"])
        return self.cleaned_data["body"]


class LetterRunForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)
    template = forms.ModelChoiceField(label=_("Letter template"), queryset=None)

    def __init__(self, *args, meetings, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["template"].queryset = templates
        self.fields["meeting"].error_messages["invalid_choice"] = _(
            "Choose one of the project's meetings."
        )
        self.fields["template"].error_messages["invalid_choice"] = _(
            "Choose one of the letter templates."
        )
