"""Text helpers for the public pages."""

import re

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html, format_html_join
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


@register.simple_tag(takes_context=True)
def content_lang(context, municipality=None) -> str:
    """` lang="nb"` (or nn) for text the municipality wrote, when the page is in another
    language: a screen reader then reads a Norwegian project name or news item with Norwegian
    pronunciation on an English page. Empty when the page's language is the text's own."""
    municipality = municipality or context.get("municipality")
    language = getattr(municipality, "default_language", "") or "nb"
    if translation.get_language() == language:
        return ""
    return format_html(' lang="{}"', language)
