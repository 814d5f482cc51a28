"""The ROS report: everything the report page, its PDF and the event exports show, read in a
fixed number of queries (the same with 10 events as with 200) and arranged in the order of a
Norwegian ROS report (DSB's guidance): summary, purpose and scope, method and participants,
the area, criteria, identified events, analysis per event, risk picture before and after
measures, uncertainty, measures, residual risk and acceptance, follow-up and revision."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from naboskap.plans.models import Measure
from naboskap.risk import selectors
from naboskap.risk.models import COLOUR_WORD, Analysis, Colour, UnwantedEvent
from naboskap.risk.selectors import AFTER, BEFORE, OVERALL

COLOURS = [Colour.RED, Colour.YELLOW, Colour.GREEN]
# Strength of knowledge, weakest first: the uncertainty section starts with the weak.
KNOWLEDGE = [
    UnwantedEvent.Knowledge.WEAK,
    UnwantedEvent.Knowledge.MEDIUM,
    UnwantedEvent.Knowledge.STRONG,
]


def lines(text: str) -> list[str]:
    """The lines of a one-per-line field, without list marks."""
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def event_anchor(event) -> str:
    return f"hendelse-{event.number}"


def matrix_sections(scale: selectors.Scale, risks: list) -> list[dict]:
    """An overall matrix and one per consequence dimension, before and after measures, each
    with a row per event (the table beside it on the matrix page) and its occupied cells
    (the table under it in the report)."""
    keys = [(OVERALL, _("Overall (each event at its worst cell)"))]
    keys += [(d.key, d.name) for d in scale.dimensions]
    sections = []
    for key, name in keys:
        matrices = [selectors.matrix(scale, risks, key, name, s) for s in (BEFORE, AFTER)]
        sections.append(
            {
                "key": key,
                "name": name,
                "matrices": matrices,
                "rows": selectors.table_rows(risks, key),
                "cells": occupied_cells(*matrices),
            }
        )
    return sections


def occupied_cells(before: selectors.Matrix, after: selectors.Matrix) -> list[tuple]:
    """(cell, event numbers before, event numbers after) for every cell of the matrix that
    holds an event at either stage, highest risk first: the same data as the pair of
    matrices, compact enough for the report to print one per consequence dimension."""
    cells = []
    for row_before, row_after in zip(before.rows, after.rows, strict=True):
        for cell, cell_after in zip(row_before, row_after, strict=True):
            if cell.events or cell_after.events:
                cells.append((cell, cell.events, cell_after.events))
    return sorted(cells, key=lambda c: (-c[0].probability * c[0].consequence, -c[0].probability))


@dataclass
class Tally:
    """How many events are in each colour (or not scored) at one stage."""

    label: str
    counts: dict

    @property
    def items(self) -> list[tuple[str, str, int]]:
        return [(colour, COLOUR_WORD[colour], self.counts[colour]) for colour in COLOURS]

    @property
    def unscored(self) -> int:
        return self.counts[""]


def _tally(label: str, cells) -> Tally:
    counts = dict.fromkeys([*COLOURS, ""], 0)
    for cell in cells:
        counts[cell.colour if cell is not None else ""] += 1
    return Tally(label, counts)


def _prepare_event(risk, scale: selectors.Scale, probability_levels: dict) -> None:
    """What the report shows of one event, set on its EventRisk."""
    event = risk.event
    event.url = "#" + event_anchor(event)
    event.anchor = event_anchor(event)
    risk.causes = lines(event.causes)
    risk.barriers = lines(event.existing_barriers)
    risk.knock_on = lines(event.knock_on_effects)
    risk.probability_before = probability_levels.get(event.probability)
    risk.probability_after = probability_levels.get(event.residual_probability)
    risk.dimension_rows = [
        {
            "dimension": d,
            "before": risk.scores[BEFORE].get(d.key),
            "after": risk.scores[AFTER].get(d.key),
            "cell_before": risk.cells[BEFORE].get(d.key),
            "cell_after": risk.cells[AFTER].get(d.key),
        }
        for d in scale.dimensions
    ]
    risk.spread = selectors.spread_items(event.settled_spread or {}, scale)
    if risk.spread:
        risk.spread_votes = event.settled_spread.get("votes")
        risk.agreement = UnwantedEvent.Knowledge(selectors.agreement(risk.spread)).label
    risk.probability_measures = [m for m in risk.measures if m.kind == Measure.Kind.PROBABILITY]
    risk.consequence_measures = [m for m in risk.measures if m.kind != Measure.Kind.PROBABILITY]


def _due_order(measure) -> tuple:
    return (measure.due_date is None, measure.due_date or datetime.date.max, measure.pk)


def events_data(analysis: Analysis) -> tuple[selectors.Scale, list]:
    """The scale and the events with their risk and measures (what the exports need)."""
    scale = selectors.load_scale(analysis.scale_version)
    events = list(selectors.analysis_events(analysis))
    risks = [selectors.event_risk(event, scale) for event in events]
    measures = selectors.event_measures(events, analysis.revision)
    probability_levels = {level.value: level for level in scale.probability_levels}
    for risk in risks:
        risk.measures = measures[risk.event.lineage]
        _prepare_event(risk, scale, probability_levels)
    return scale, risks


def report_data(analysis: Analysis) -> dict:
    """The scale, the events with their risk and measures, and everything each report
    section adds up from them."""
    scale, risks = events_data(analysis)
    all_measures = []
    for risk in risks:
        for measure in risk.measures:
            measure.event_number = risk.event.number
            all_measures.append(measure)
    all_measures.sort(key=_due_order)
    knowledge = {value: [] for value in [*KNOWLEDGE, ""]}
    for risk in risks:
        knowledge.setdefault(risk.event.knowledge, []).append(risk)
    acceptance = {value: 0 for value, _label in UnwantedEvent.Acceptance.choices}
    for risk in risks:
        acceptance[risk.event.acceptance] = acceptance.get(risk.event.acceptance, 0) + 1
    return {
        "scale": scale,
        "risks": risks,
        "sections": matrix_sections(scale, risks),
        "scale_rows": selectors.matrix(scale, [], OVERALL, "", BEFORE).rows,
        "tallies": [
            _tally(_("Before measures"), (risk.before for risk in risks)),
            _tally(_("After measures"), (risk.after for risk in risks)),
        ],
        "knowledge": [
            (UnwantedEvent.Knowledge(value).label, knowledge[value]) for value in KNOWLEDGE
        ],
        "knowledge_unrated": knowledge[""],
        "acceptance": [
            (label, acceptance.get(value, 0)) for value, label in UnwantedEvent.Acceptance.choices
        ],
        "all_measures": all_measures,
        "measures_open": sum(
            m.status not in (Measure.Status.DONE, Measure.Status.CANCELLED) for m in all_measures
        ),
        "not_acceptable_after": [
            risk for risk in risks if risk.after is not None and risk.after.colour == Colour.RED
        ],
        "weak_knowledge": knowledge[UnwantedEvent.Knowledge.WEAK],
        "scored_together": [risk for risk in risks if risk.spread],
    }


def _observed(risks: list, scale: selectors.Scale) -> list:
    """(risk, Observation, observed level) for the events that concerns were linked to in
    the last 12 months, those to re-assess first (one query)."""
    observed = selectors.observations([risk.event for risk in risks], scale.probability_levels)
    levels = {level.value: level for level in scale.probability_levels}
    rows = [
        (risk, observed[risk.event.pk], levels.get(observed[risk.event.pk].level))
        for risk in risks
        if observed[risk.event.pk].count
    ]
    return sorted(rows, key=lambda row: (not row[1].flagged, row[0].event.number))


def report_context(analysis: Analysis) -> dict:
    """The whole report of `analysis` (whose project is loaded, as the access helper does)."""
    data = report_data(analysis)
    observed = _observed(data["risks"], data["scale"])
    revisions = list(
        Analysis.objects.filter(series=analysis.series)
        .select_related("approved_by")
        .order_by("-revision")
    )
    return {
        "project": analysis.project,
        "analysis": analysis,
        "participants": list(analysis.participants.all()),
        "meetings": list(analysis.meetings.all()),
        "history": list(analysis.status_changes.select_related("changed_by")),
        "revisions": revisions,
        **data,
        "observed": observed,
        "reassess": [risk for risk, seen, _level in observed if seen.flagged],
    }
