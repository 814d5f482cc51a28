"""`{% risk_level cell %}`: a cell's colour in words and its probability × consequence.

A tag rather than an included template: the matrix page shows it for every event in every
dimension, and an include per row costs more than the rest of the page."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def risk_level(cell) -> str:
    if cell is None:
        return format_html('<span class="meta">{}</span>', _("Not scored"))
    return format_html(
        '<span class="risk-level" data-colour="{}">{}</span> <span class="meta">{}</span>',
        cell.colour,
        cell.word,
        _("P%(p)s × C%(c)s") % {"p": cell.probability, "c": cell.consequence},
    )
