import re

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.forms import ConcernForm

# What `secrets.token_urlsafe(24)` gives, with room for other clients' keys: a key someone
# could guess would let them land on another person's report.
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We only use it to send news about this project. You can stop at any time."),
    )


class ReportForm(ConcernForm):
    """The public concern form. Problems with the hidden fields (the idempotency key, the
    honeypot) are told as one general error: people cannot see, let alone fix, those fields."""

    GENERAL_ERROR = _("Your report was not sent. Please check the form and send it again.")

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
        return cleaned
