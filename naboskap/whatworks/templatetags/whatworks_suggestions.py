"""`{% load whatworks_suggestions %}{% what_worked_elsewhere project … %}`: "What worked
elsewhere" where a measure is made, with a one-click "Adopt".

Plans and risk may not import this app (the import-linter contract "whatworks"), so their
templates load this library instead, like the archive's `{% archive_status obj %}`:

    {% what_worked_elsewhere project %}                               the plan's new measure
    {% what_worked_elsewhere project event=event heading_level=3 %}   an unwanted event

What it matches (`selectors.suggestions`): on an unwanted event, its title's words and the
categories of the concerns linked to it; on the plan's form, the categories and the source
(a concern's category, an unwanted event) that the page's address preselects, else the
categories of the project's concerns in the last twelve months. Shown to those who read the
catalogue (`whatworks.view_catalogue`), with "Adopt" for those who change the plan: a link to
the plan's new measure form that fills in the title (not another municipality's), the type,
the categories, the source the page had, and a description that says where it came from.
"""

from __future__ import annotations

from datetime import timedelta

import rules
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from naboskap.concerns.models import Concern
from naboskap.plans.models import SOURCE_FIELDS
from naboskap.risk.models import UnwantedEvent
from naboskap.whatworks import selectors

register = template.Library()

# On a new measure that says nothing yet, what the project's neighbours reported lately.
RECENT_CONCERNS = timedelta(days=365)


@register.inclusion_tag("whatworks/includes/suggestions.html", takes_context=True)
def what_worked_elsewhere(context, project, event=None, heading_level: int = 2):
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = {"shown": False}
    if user is None or not rules.has_perm("whatworks.view_catalogue", user, project.municipality):
        return shown
    labels = selectors.category_labels(project.municipality)
    source = {}
    if event is not None:
        codes = selectors.event_concern_codes(event)
        title = event.title
        source = {"unwanted_event": event.pk}
    else:
        codes, title, source = _from_form(project, request, labels)
    basis = _basis(codes, title, labels)
    guessed = not codes and not title  # from what the neighbours reported, not asked for
    if guessed:
        since = timezone.localdate() - RECENT_CONCERNS
        codes = selectors.project_concern_codes(project, since=since)
        if not codes:
            return shown
        basis = _(
            "What this project's neighbours reported in the last twelve months: %(what)s."
        ) % {"what": ", ".join(labels.get(code, code) for code in codes)}
    found = selectors.suggestions(
        project, user=user, category_codes=codes, event_title=title, labels=labels
    )
    if guessed and not found:
        return shown  # a guess that found nothing is no news above a form
    can_adopt = rules.has_perm("plans.change_plan", user, project)
    for item in found:
        item.adopt_url = _adopt_url(project, item, source) if can_adopt else ""
        item.source_note = _source_note(item)
    return {
        "shown": True,
        "items": found,
        "basis": basis,
        "heading_level": heading_level,
        "subheading_level": heading_level + 1,
    }


def _from_form(project, request, labels: dict[str, str]) -> tuple[list[str], str, dict]:
    """The categories, the unwanted event's title and the source that the plan's new measure
    form was opened with (its address: `?category=noise`, `?concern=12`, `?unwanted_event=3`)."""
    query = request.GET if request is not None else {}
    codes = set(query.getlist("category")) if hasattr(query, "getlist") else set()
    codes &= set(labels)
    source = {name: query[name] for name in SOURCE_FIELDS if str(query.get(name, "")).isdigit()}
    title = ""
    if "concern" in source:
        category = (
            Concern.objects.filter(pk=source["concern"], project=project)
            .values_list("category__code", flat=True)
            .first()
        )
        if category:
            codes.add(category)
    if "unwanted_event" in source:
        event = UnwantedEvent.objects.filter(
            pk=source["unwanted_event"], analysis__project=project
        ).first()
        if event is not None:
            title = event.title
            codes.update(selectors.event_concern_codes(event))
    return sorted(codes), title, source


def _basis(codes: list[str], title: str, labels: dict[str, str]) -> str:
    names = ", ".join(labels.get(code, code) for code in codes)
    if codes and title:
        return _(
            "Measures that addressed %(categories)s, or an unwanted event like “%(title)s”."
        ) % {
            "categories": names,
            "title": title,
        }
    if codes:
        return _("Measures that addressed %(categories)s.") % {"categories": names}
    if title:
        return _("Measures against an unwanted event like “%(title)s”.") % {"title": title}
    return ""


def _source_note(item: selectors.Item) -> str:
    """Where an adopted measure came from, for its description: the project and the measure
    of the municipality's own, only what may be shared of another's."""
    if not item.shared:
        return _("Adopted from: %(project)s – %(measure)s") % {
            "project": item.project_name,
            "measure": item.title,
        }
    what = ", ".join(part for part in [*item.categories, item.project_kind, item.size] if part)
    return _("Adopted from: a measure of another municipality (%(what)s)") % {"what": what}


def _adopt_url(project, item: selectors.Item, source: dict) -> str:
    params = [(name, value) for name, value in source.items()]
    if item.title:  # never another municipality's: it is free text not written for sharing
        params.append(("title", item.title))
    if item.kind_value:
        params.append(("kind", item.kind_value))
    params += [("category", code) for code in item.category_codes]
    params.append(("description", _source_note(item)))
    return f"{reverse('plans:measure_create', args=[project.pk])}?{urlencode(params)}"
