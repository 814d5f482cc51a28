"""The plan as its page, its stored PDF and its XLSX show it: a project's measures, filtered
and grouped as the reader asked (`?status=…&unit=…&overdue=on&group=unit`). The worker
renders the PDF from the same context as the page (see `documents`)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone

from naboskap.plans import selectors
from naboskap.plans.forms import PlanFilterForm
from naboskap.plans.models import Participation

PART_LETTERS = {
    Participation.Part.RESPONSIBLE: "R",
    Participation.Part.ACCOUNTABLE: "A",
    Participation.Part.CONSULTED: "C",
    Participation.Part.INFORMED: "I",
}
FILTERS = ("group", "status", "unit", "overdue")


def filtered(form: PlanFilterForm, measures):
    if not form.is_valid():
        return measures
    data = form.cleaned_data
    if data["status"]:
        measures = measures.filter(status=data["status"])
    if data["unit"]:
        measures = measures.filter(selectors.involving_unit(data["unit"]))
    if data["overdue"]:
        measures = measures.filter(selectors.overdue_filter())
    return measures


def filter_form(project, query: QueryDict) -> PlanFilterForm:
    return PlanFilterForm(query or None, municipality_ids=[project.municipality_id])


def plan_context(project, query: QueryDict) -> dict:
    """The project, the filter form and the filtered, grouped measures of its plan."""
    form = filter_form(project, query)
    measures = list(filtered(form, selectors.plan_measures(project)))
    grouping = form.grouping()
    return {
        "project": project,
        "form": form,
        "measures": measures,
        "grouping": grouping,
        "groups": selectors.group_measures(measures, grouping),
        "overdue_count": sum(m.is_overdue for m in measures),
        "query": query.urlencode(),
        "part_letters": PART_LETTERS,
        "today": timezone.localdate(),
    }


def filter_variant(project, query: QueryDict) -> str:
    """The filter as one canonical query string (the stored PDF's variant): the fields that
    filter, in a fixed order, without the rest of the address; "" for the whole plan, and
    for a filter that does not validate (which shows the whole plan, as the page does)."""
    form = filter_form(project, query)
    if not form.is_valid():
        return ""
    kept = QueryDict(mutable=True)
    for name in FILTERS:
        value = form.cleaned_data.get(name)
        if name == "unit" and value is not None:
            value = value.pk
        if name == "group" and value == selectors.GROUPINGS[0]:
            continue  # the default grouping
        if value not in (None, "", False):
            kept[name] = "on" if value is True else str(value)
    return kept.urlencode()
