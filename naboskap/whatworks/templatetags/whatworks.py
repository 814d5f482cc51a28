"""`{% load whatworks %}{% measure_effect measure %}`: on a measure's page, its observed
effect (what was counted before and after it was done), or why there is none yet."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from naboskap.projects.models import Phase
from naboskap.whatworks.models import Effect, Settings

register = template.Library()


@register.inclusion_tag("whatworks/includes/measure_effect.html")
def measure_effect(measure, heading_level: int = 2):
    context = {"measure": measure, "heading_level": heading_level, "effect": None}
    if measure.status != measure.Status.DONE:
        return context
    effect = Effect.objects.filter(measure=measure).first()
    if effect is None:
        return context
    settings = Settings.for_municipality(measure.project.municipality_id)
    context.update(
        effect=effect,
        concerns=concerns_sentence(effect),
        minimum=settings.minimum_concerns,
        meanwhile=[_meanwhile_line(item) for item in effect.meanwhile],
    )
    return context


def signed(change: float) -> str:
    """A change in percent with its sign, a true minus: "−25", "+40", "0"."""
    return f"{round(change):+d}".replace("-", "\N{MINUS SIGN}").replace("+0", "0")


def percent_interval(low: float, high: float | None) -> str:
    """A rate ratio's interval as a change in percent, in words."""
    low_change = signed((low - 1) * 100)
    if high is None:
        return _("from %(low)s %% with no upper bound") % {"low": low_change}
    return _("%(low)s %% to %(high)s %%") % {"low": low_change, "high": signed((high - 1) * 100)}


def concerns_sentence(effect: Effect) -> str:
    """The change in concerns in words: "67 % fewer per day (95 % interval: −88 % to −20 %)"."""
    if effect.too_little_data or effect.ratio_low is None:
        return ""
    if effect.ratio is None:
        change = _("none before, %(count)d after") % {"count": effect.concerns_after}
    elif effect.ratio < 1:
        change = _("%(percent)d %% fewer a day") % {"percent": round((1 - effect.ratio) * 100)}
    elif effect.ratio > 1:
        change = _("%(percent)d %% more a day") % {"percent": round((effect.ratio - 1) * 100)}
    else:
        change = _("as many a day")
    interval = percent_interval(effect.ratio_low, effect.ratio_high)
    return _("%(change)s (95 %% interval: %(interval)s)") % {
        "change": change,
        "interval": interval,
    }


def _meanwhile_line(item: dict) -> dict:
    when = date.fromisoformat(item["date"])
    if item["kind"] == "phase":
        label = Phase(item["what"]).label if item["what"] in Phase.values else item["what"]
        what = _("The project moved to the phase “%(phase)s”") % {"phase": label}
    else:
        what = _("Measure done: %(title)s") % {"title": item["what"]}
    return {"date": when, "what": what}


@register.simple_tag
def days_count(days: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
