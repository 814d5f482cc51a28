from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.forms import ObjectChoiceField, ProjectChoiceField, check_position
from naboskap.concerns.models import Concern
from naboskap.concerns.photos import clean_photos, max_bytes, max_count
from naboskap.concerns.services import idempotency_key_valid
from naboskap.lib.forms import bounded_formfield

# A person's own details on the public forms: the browser may fill them in (WCAG 1.3.5).
OWN_DETAILS = {"reporter_name": "name", "reporter_email": "email", "reporter_phone": "tel"}


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We only use it to send news about this project. You can stop at any time."),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (see Django's "Uploading multiple files"); checked by the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in files if upload]


# Browsers cannot put files back into a form that comes back with errors.
CHOOSE_AGAIN = _("Choose the photos again.")


class ReportForm(forms.ModelForm):
    """The public concern form. Contact details are optional. Problems with the hidden fields
    (the idempotency key, the honeypot) are told as one general error: people cannot see, let
    alone fix, those fields.

    The projects and categories to choose from come from the caller (see
    `portal.concern_views.intake_choices`), already loaded. The project may be None: the
    area in general.
    """

    GENERAL_ERROR = _("Your report was not sent. Please check the form and send it again.")

    project = ProjectChoiceField(label=_("Which place is it about?"))
    category = ObjectChoiceField(label=_("Category"), widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see: bots fill it in, and their reports are dropped.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    field_order = ["project", "category"]

    class Meta:
        model = Concern
        formfield_callback = bounded_formfield
        fields = [
            "description",
            "location",
            "latitude",
            "longitude",
            "occurred_at",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "preferred_channel",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "preferred_channel": forms.RadioSelect,
        }
        help_texts = {
            "description": _(
                "Describe what happened, not who the residents are. Do not write names or "
                "health information about others."
            ),
            "location": _(
                "For example the street, the playground or the bus stop. You can also mark "
                "the place on the map."
            ),
        }

    def __init__(self, *args, projects, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].objects = projects
        self.fields["category"].objects = categories
        self.fields["reporter_name"].label = _("Your name (optional)")
        self.fields["reporter_email"].label = _("Your email (optional)")
        self.fields["reporter_phone"].label = _("Your phone (optional)")
        for name, token in OWN_DETAILS.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos, JPEG or PNG, at most %(size)d MB each. We remove the "
            "location and other hidden information from them before they are stored. Do not "
            "photograph people."
        ) % {"count": max_count(), "size": max_bytes() // (1024 * 1024)}

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean_photos(self):
        try:
            # Checked and cleaned here, stored with the concern: nothing is stored half-way.
            return clean_photos(self.cleaned_data.get("photos"))
        except forms.ValidationError as error:
            raise forms.ValidationError([*error.messages, CHOOSE_AGAIN]) from None

    def clean(self):
        """Email left empty is no error: `services.contact_channel` answers by phone or not
        at all. A phone chosen needs its number."""
        cleaned = super().clean()
        channel = cleaned.get("preferred_channel")
        if channel == Concern.Channel.PHONE and not cleaned.get("reporter_phone"):
            self.add_error("reporter_phone", _("Give a phone number, or choose email."))
        key = cleaned.get("idempotency_key") or ""
        hidden_problem = False
        for name in ("idempotency_key", "website"):
            if name in self._errors:
                del self._errors[name]
                hidden_problem = True
        if hidden_problem or not idempotency_key_valid(key):
            self.add_error(None, self.GENERAL_ERROR)
        check_position(self, cleaned)
        if self.files.getlist("photos") and self._errors and "photos" not in self._errors:
            # The photos were fine, but the form comes back without them.
            self.add_error("photos", CHOOSE_AGAIN)
        return cleaned


# The public suggestion form: a neighbour's input to a project, waiting for moderation.
SUGGESTION_MAX_LENGTH = 2000


class SuggestionForm(forms.Form):
    """Problems with the hidden fields (the one-time key, the honeypot) are told as one
    general error: people cannot see, let alone fix, those fields."""

    GENERAL_ERROR = _("Your suggestion was not sent. Please check the form and send it again.")

    text = forms.CharField(
        label=_("Your suggestion"),
        max_length=SUGGESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    theme = forms.CharField(
        label=_("Theme (optional)"),
        required=False,
        max_length=100,
        help_text=_("For example traffic, the outdoor area or meeting places."),
    )
    contact_email = forms.EmailField(
        label=_("Your email (optional)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        required=False,
        max_length=254,
        help_text=_(
            "Only if you want an answer. Only the staff who handle suggestions see it, and it "
            "is never published."
        ),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see: bots fill it in, and their suggestions are dropped.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, in the visitor's language (not once, when the module loads).
        self.fields["text"].help_text = _(
            "At most %(count)d characters. Write about the project and the neighbourhood, "
            "not about the residents, and do not write names or health information about "
            "others."
        ) % {"count": SUGGESTION_MAX_LENGTH}

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean(self):
        cleaned = super().clean()
        hidden = [name for name in ("idempotency_key", "website") if name in self._errors]
        for name in hidden:
            del self._errors[name]
        if hidden or not idempotency_key_valid(cleaned.get("idempotency_key")):
            self.add_error(None, self.GENERAL_ERROR)
        return cleaned
