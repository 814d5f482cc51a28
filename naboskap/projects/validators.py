"""Checks shared by the update form, the admin and the services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A news title becomes the subject of the email to subscribers: a line break there would
# start a new mail header (Django refuses to send such a message), so a title is one line.
TITLE_LINE_BREAK = _("The title must be on one line: remove the line break.")
LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def has_line_break(text: str) -> bool:
    return any(character in LINE_BREAKS for character in text or "")


def validate_one_line_title(title: str) -> None:
    if has_line_break(title):
        raise ValidationError(TITLE_LINE_BREAK, code="line_break")
