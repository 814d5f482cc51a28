import re

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.forms import ConcernForm
from naboskap.concerns.photos import clean_photos, max_bytes, max_count

# What `secrets.token_urlsafe(24)` gives, with room for other clients' keys: a key someone
# could guess would let them land on another person's report.
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


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


class ReportForm(ConcernForm):
    """The public concern form. Problems with the hidden fields (the idempotency key, the
    honeypot) are told as one general error: people cannot see, let alone fix, those fields."""

    GENERAL_ERROR = _("Your report was not sent. Please check the form and send it again.")

    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, token in OWN_DETAILS.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos, JPEG or PNG, at most %(size)d MB each. We remove the "
            "location and other hidden information from them before they are stored. Do not "
            "photograph people."
        ) % {"count": max_count(), "size": max_bytes() // (1024 * 1024)}

    def clean_photos(self):
        try:
            # Checked and cleaned here, stored with the concern: nothing is stored half-way.
            return clean_photos(self.cleaned_data.get("photos"))
        except forms.ValidationError as error:
            raise forms.ValidationError([*error.messages, CHOOSE_AGAIN]) from None

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("idempotency_key") or ""
        hidden_problem = False
        for name in ("idempotency_key", "website"):
            if name in self._errors:
                del self._errors[name]
                hidden_problem = True
        if hidden_problem or not IDEMPOTENCY_KEY.fullmatch(key):
            self.add_error(None, self.GENERAL_ERROR)
        if self.files.getlist("photos") and self._errors and "photos" not in self._errors:
            # The photos were fine, but the form comes back without them.
            self.add_error("photos", CHOOSE_AGAIN)
        return cleaned
