"""`{% load whatworks_effects %}`: an observed effect in one line of plain words, for the
catalogue, the suggestions and wherever an effect is told briefly
(`{% include "whatworks/includes/effect.html" with effect=… %}`).

    Concerns 12 → 4 per 90 days, −67 % (95 % interval −88 % to −20 %)
    Too little data: concerns 2 → 1 per 90 days
    Survey 3,1 → 3,8 (95 % interval of the change +0,2 to +1,2)
"""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()

MINUS = "\u2212"


def _signed(text: str, negative: bool, zero: bool) -> str:
    return text if zero else f"{MINUS if negative else '+'}{text}"


def percent_change(ratio: float) -> str:
    """A ratio (after over before) as a change in percent: 0.33 → "−67 %"."""
    change = round((ratio - 1) * 100)
    return _signed(f"{abs(change)}\u00a0%", change < 0, change == 0)


def signed_decimal(value: float) -> str:
    """A difference with its sign and one decimal, as the language writes it: "+0,7"."""
    rounded = round(value, 1)
    return _signed(number_format(abs(rounded), 1), rounded < 0, rounded == 0)


def concern_counts(effect) -> str:
    """The counts in words: "concerns 12 → 4 per 90 days", or, while the after window is
    running, "concerns 12 in 90 days → 4 in the 45 days since"."""
    values = {
        "before": effect.concerns_before,
        "after": effect.concerns_after,
        "window": effect.window_days,
        "days": effect.after_days,
    }
    if effect.after_days >= effect.window_days:
        return _("concerns %(before)d → %(after)d per %(window)d days") % values
    return _("concerns %(before)d in %(window)d days → %(after)d in the %(days)d days since") % (
        values
    )


@register.simple_tag
def effect_line(effect) -> str:
    """The change in concerns about what the measure addresses, in one line."""
    counts = concern_counts(effect)
    if effect.too_little_data or effect.ratio_low is None:
        return _("Too little data: %(counts)s") % {"counts": counts}
    if effect.ratio is None:
        return _("%(counts)s: none before, so no change in percent") % {"counts": capfirst(counts)}
    values = {
        "counts": capfirst(counts),
        "change": percent_change(effect.ratio),
        "low": percent_change(effect.ratio_low),
    }
    if effect.ratio_high is None:
        return _("%(counts)s, %(change)s (95 %% interval from %(low)s, no upper bound)") % values
    values["high"] = percent_change(effect.ratio_high)
    return _("%(counts)s, %(change)s (95 %% interval %(low)s to %(high)s)") % values


@register.simple_tag
def survey_line(effect) -> str:
    """The neighbour survey's mean score before and after, with the interval of the change
    when there were enough responses; "" without responses on both sides."""
    if effect.survey_before is None or effect.survey_after is None:
        return ""
    values = {
        "before": number_format(round(effect.survey_before, 1), 1),
        "after": number_format(round(effect.survey_after, 1), 1),
    }
    if effect.survey_change_low is None or effect.survey_change_high is None:
        return _("Survey %(before)s → %(after)s (too few responses for an interval)") % values
    values["low"] = signed_decimal(effect.survey_change_low)
    values["high"] = signed_decimal(effect.survey_change_high)
    return _("Survey %(before)s → %(after)s (95 %% interval of the change %(low)s to %(high)s)") % (
        values
    )
