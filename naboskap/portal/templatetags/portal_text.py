"""Text helpers for the public pages."""

import re

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@register.filter
def first_sentence(text: str) -> str:
    """The first sentence of a text (its first paragraph when it has no full stop)."""
    paragraph = (text or "").strip().split("\n", 1)[0].strip()
    return SENTENCE_END.split(paragraph, 1)[0]


@register.filter
def breakable_email(address: str) -> str:
    """An email address that may wrap after "@" and before dots, never inside a word."""
    escaped = str(conditional_escape(address or ""))
    return mark_safe(escaped.replace("@", "@<wbr>").replace(".", "<wbr>."))


@register.filter
def address_parts(address: str):
    """An address as its comma-separated parts, each kept on one line where it fits."""
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    return format_html_join(", ", '<span class="keep-together">{}</span>', ((p,) for p in parts))
