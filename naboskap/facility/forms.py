"""Forms for rounds and the incident log: validation only; views call facility.services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.photos import clean_photos, max_bytes
from naboskap.facility.models import Category, Incident
from naboskap.facility.workflow import BY_HAND
from naboskap.lib.forms import DateTimeField, bounded_formfield

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NO_PERSONAL_DATA = _(
    "Describe what happened, not who the residents are. Do not write names or health "
    "information about anyone."
)


class ObservationForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of thing"), choices=Category.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("For example the playground, the parking lot or the bus stop."),
    )
    text = forms.CharField(
        label=_("What you saw"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NO_PERSONAL_DATA,
    )
    occurred_at = DateTimeField(
        label=_("When (if not now)"), required=False, widget=DATETIME_WIDGET
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        megabytes = f"{max_bytes() / (1024 * 1024):g}"
        self.fields["photo"].help_text = _(
            "JPEG or PNG, at most %(size)s MB. Location and camera details are removed. "
            "Do not photograph people."
        ) % {"size": megabytes}

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return clean_photos([upload])[0]
        except ValidationError as error:
            raise ValidationError(
                [*error.messages, _("Your text is kept: choose the photo again or leave it out.")]
            ) from error


class AllCalmForm(forms.Form):
    place = forms.CharField(label=_("Where (optional)"), max_length=200, required=False)


class EndRoundForm(forms.Form):
    note = forms.CharField(
        label=_("Summary (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NO_PERSONAL_DATA,
    )


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        formfield_callback = bounded_formfield
        fields = ["occurred_at", "category", "affects_neighbours", "place", "description"]
        widgets = {
            "occurred_at": DATETIME_WIDGET,
            "category": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "description": NO_PERSONAL_DATA,
            "affects_neighbours": _("Noise, litter, threats or anything else neighbours notice."),
            "place": _("For example the entrance, the street or the playground."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required radios: no "---------" button, as a model field without a default gets.
        self.fields["category"].choices = Category.choices


class FollowUpForm(forms.Form):
    prefix = "follow_up"
    text = forms.CharField(
        label=_("What was done"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example who was contacted and what was agreed. Do not write names or health "
            "information about anyone."
        ),
    )
    close = forms.BooleanField(label=_("Close the incident"), required=False)


class IncidentStatusForm(forms.Form):
    prefix = "status"
    to_status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when an incident is reopened."),
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = BY_HAND.get(incident.status, set())
        self.fields["to_status"].choices = [
            (value, label) for value, label in Incident.Status.choices if value in allowed
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_status") == Incident.Status.OPEN and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why the incident is reopened."))
        return cleaned
