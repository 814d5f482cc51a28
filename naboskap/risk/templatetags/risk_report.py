"""`{% risk_td cell %}`: a table cell with a risk level in words and its probability ×
consequence, coloured by `data-colour`. One element per cell, so a report with hundreds of
them stays cheap to lay out (WeasyPrint); `{% risk_level %}` adds two inline boxes."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def risk_td(cell) -> str:
    if cell is None:
        return format_html("<td>{}</td>", _("Not scored"))
    return format_html(
        '<td class="risk-cell" data-colour="{}">{} {}</td>',
        cell.colour,
        cell.word,
        _("P%(p)s × C%(c)s") % {"p": cell.probability, "c": cell.consequence},
    )
