"""Placeholders in standard answers: `{reference}` and the like, filled in when a case
handler inserts the answer into a message to the reporter.

A placeholder is a known name in braces. Any other brace is refused when the answer is saved,
so what is filled in is exactly what the settings page documents (no format specifications,
no attribute look-ups, nothing evaluated).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "reference": _("the concern's reference, e.g. 2026-000123"),
    "answer_due": _("the date the reporter will get an answer by"),
    "project": _("the project's name"),
    "category": _("the category, in the reporter's language"),
}

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check(text: str) -> None:
    """Raise a ValidationError naming every unknown placeholder and stray brace."""
    errors = []
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        errors.append(
            ValidationError(
                _("Unknown placeholder: %(names)s. Use only %(known)s."),
                code="unknown_placeholder",
                params={
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                },
            )
        )
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        errors.append(
            ValidationError(
                _("A brace without its pair: write braces only around a placeholder."),
                code="stray_brace",
            )
        )
    if errors:
        raise ValidationError(errors)


def values_for(concern) -> dict[str, str]:
    """What the placeholders stand for, in the reporter's language (they read it)."""
    with translation.override(concern.language or None):
        return {
            "reference": concern.reference,
            "answer_due": date_format(concern.answer_due, "DATE_FORMAT"),
            "project": concern.project.name if concern.project else str(_("the area in general")),
            "category": concern.category.label,
        }


def fill(text: str, concern) -> str:
    """The text with its known placeholders filled in; anything else is left as written."""
    values = values_for(concern)
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
