"""The public suggestion form: a neighbour's input to a project, waiting for moderation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.services import idempotency_key_valid

TEXT_MAX_LENGTH = 2000


class SuggestionForm(forms.Form):
    """Problems with the hidden fields (the one-time key, the honeypot) are told as one
    general error: people cannot see, let alone fix, those fields."""

    GENERAL_ERROR = _("Your suggestion was not sent. Please check the form and send it again.")

    text = forms.CharField(
        label=_("Your suggestion"),
        max_length=TEXT_MAX_LENGTH,
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
        ) % {"count": TEXT_MAX_LENGTH}

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
