"""Service refusals and the one way views show them.

A service that refuses an operation raises a subclass of `DomainError`: one message, several,
or messages per form field (`DomainError({"period_end": _("…")})`), translatable lazily like
any `gettext_lazy` text. It is a Django `ValidationError`, so a form's `clean()` and
`full_clean()` take it as they take their own; `str()` gives the messages as the user reads
them. Views never unpack it by hand: `show_error` puts it on the form, or in `messages` when
the page has no form to show it on.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """An operation a service refuses; every message is for the user."""

    def __str__(self) -> str:
        return " ".join(str(message) for message in self.messages)


def show_error(request, error: ValidationError, form=None, field: str | None = None) -> None:
    """Show a refusal: on `form` when given, else as error messages on the next page.

    On a form, each field's messages go on that field where the form has it; the rest on
    `field`, or above the form when that is None."""
    if form is None:
        for message in error.messages:
            messages.error(request, message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, error)
