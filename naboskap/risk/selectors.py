"""Reads that the analysis pages share: a scale version with its levels and cells, the
events of an analysis with their scores, risk per dimension and overall, the matrices and
the difference between two revisions. Everything is loaded in a fixed number of queries
and computed in Python, so the pages cost the same with 10 events as with 200."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from naboskap.plans.models import Measure
from naboskap.risk.models import (
    COLOUR_RANK,
    COLOUR_WORD,
    Analysis,
    Colour,
    ConsequenceDimension,
    ConsequenceScore,
    ProbabilityLevel,
    PublishedSummary,
    RiskScale,
    RoundEvent,
    ScaleVersion,
    UnwantedEvent,
    Vote,
)

BEFORE = ConsequenceScore.Stage.BEFORE
AFTER = ConsequenceScore.Stage.AFTER
OVERALL = "overall"


@dataclass
class Scale:
    """A scale version with everything the pages need, loaded once."""

    version: ScaleVersion
    probability_levels: list
    dimensions: list
    cells: dict  # (probability, consequence) -> colour

    @property
    def size(self) -> int:
        return self.version.size

    def colour(self, probability: int, consequence: int) -> str:
        return self.cells.get((probability, consequence), "")


def load_scale(version: ScaleVersion) -> Scale:
    dimensions = list(
        ConsequenceDimension.objects.filter(version=version).prefetch_related("levels")
    )
    return Scale(
        version=version,
        probability_levels=list(version.probability_levels.all()),
        dimensions=dimensions,
        cells={(c.probability, c.consequence): c.colour for c in version.cells.all()},
    )


@dataclass
class Cell:
    """Where an event lands in one dimension at one stage."""

    probability: int
    consequence: int
    colour: str

    @property
    def word(self) -> str:
        return COLOUR_WORD.get(self.colour, "")

    @property
    def label(self) -> str:
        return Colour(self.colour).label if self.colour else ""

    @property
    def rank(self) -> tuple:
        return (
            COLOUR_RANK.get(self.colour, -1),
            self.probability + self.consequence,
            self.consequence,
        )


@dataclass
class EventRisk:
    event: UnwantedEvent
    # stage -> dimension key -> Cell (missing when not scored)
    cells: dict = field(default_factory=dict)
    # stage -> dimension key -> ConsequenceScore
    scores: dict = field(default_factory=dict)

    def overall(self, stage: str) -> Cell | None:
        """The event's overall risk: its worst cell over all dimensions."""
        cells = self.cells.get(stage, {}).values()
        return max(cells, key=lambda cell: cell.rank, default=None)

    @property
    def before(self) -> Cell | None:
        return self.overall(BEFORE)

    @property
    def after(self) -> Cell | None:
        return self.overall(AFTER)


def event_risk(event: UnwantedEvent, scale: Scale) -> EventRisk:
    """Risk per dimension (the matrix cell) for an event whose scores are loaded."""
    by_id = {d.pk: d for d in scale.dimensions}
    risk = EventRisk(event=event, cells={BEFORE: {}, AFTER: {}}, scores={BEFORE: {}, AFTER: {}})
    probability = {BEFORE: event.probability, AFTER: event.residual_probability}
    for score in event.scores.all():
        dimension = by_id.get(score.dimension_id)
        if dimension is None:
            continue
        risk.scores[score.stage][dimension.key] = score
        p = probability.get(score.stage)
        if p is not None:
            risk.cells[score.stage][dimension.key] = Cell(
                p, score.level, scale.colour(p, score.level)
            )
    return risk


def analysis_events(analysis: Analysis):
    """The events of an analysis with their scores."""
    return analysis.events.prefetch_related(
        Prefetch("scores", queryset=ConsequenceScore.objects.order_by("pk"))
    )


def event_measures(events: list[UnwantedEvent], revision: int) -> dict:
    """Measures per event lineage, with those made for the event in earlier revisions
    (carried over): {lineage: [measures]}. One query for any number of events."""
    lineages = [event.lineage for event in events]
    measures = (
        Measure.objects.filter(
            unwanted_event__lineage__in=lineages,
            unwanted_event__analysis__revision__lte=revision,
        )
        .select_related("owner_unit", "unwanted_event")
        .order_by("due_date", "pk")
    )
    grouped: dict = {lineage: [] for lineage in lineages}
    for measure in measures:
        grouped[measure.unwanted_event.lineage].append(measure)
    return grouped


def analyses_for_project(project):
    return (
        Analysis.objects.filter(project=project)
        .select_related("scale_version__scale", "approved_by")
        .order_by("title", "series", "-revision")
    )


def scales_for_municipalities(municipality_ids):
    return (
        RiskScale.objects.filter(municipality_id__in=municipality_ids)
        .select_related("municipality")
        .order_by("municipality__name", "name")
    )


# Matrices ----------------------------------------------------------------------------------


# Geometry of the server-rendered SVG matrix (px): cells, the axis margin, event markers.
CELL_W, CELL_H, AXIS = 104, 76, 56
MARKER_R, MARKER_STEP, MARKERS_PER_ROW, MARKER_ROWS = 10, 24, 4, 2


@dataclass
class MatrixCellView:
    probability: int
    consequence: int
    colour: str
    events: list  # event numbers
    x: int = 0
    y: int = 0
    markers: list = field(default_factory=list)  # (number, cx, cy)
    more: int = 0  # events not drawn as markers (they are in the table)

    @property
    def word(self) -> str:
        return COLOUR_WORD.get(self.colour, "")


@dataclass
class Matrix:
    key: str  # a dimension key, or OVERALL
    name: str
    stage: str
    size: int
    rows: list  # rows from the highest probability down, each a list of MatrixCellView
    placed: list  # (event, Cell) of every event placed

    cell_w = CELL_W
    cell_h = CELL_H

    @property
    def stage_label(self) -> str:
        return ConsequenceScore.Stage(self.stage).label

    @property
    def width(self) -> int:
        return AXIS + self.size * CELL_W + 8

    @property
    def height(self) -> int:
        return self.size * CELL_H + AXIS

    @property
    def grid_bottom(self) -> int:
        return self.size * CELL_H

    @property
    def axis_labels(self) -> dict:
        """Positions of the level numbers on both axes."""
        return {
            "probability": [
                (self.size - i, i * CELL_H + CELL_H // 2 + 5) for i in range(self.size)
            ],
            "consequence": [
                (c, AXIS + (c - 1) * CELL_W + CELL_W // 2) for c in range(1, self.size + 1)
            ],
            "probability_x": AXIS - 22,
            "consequence_y": self.size * CELL_H + 22,
            "title_y": self.size * CELL_H + 46,
            "title_x": AXIS + self.size * CELL_W // 2,
            "side_x": 16,
            "side_y": self.size * CELL_H // 2,
        }


def _place_markers(cell: MatrixCellView) -> None:
    capacity = MARKERS_PER_ROW * MARKER_ROWS
    shown = cell.events if len(cell.events) <= capacity else cell.events[: capacity - 1]
    cell.more = len(cell.events) - len(shown)
    for index, number in enumerate(shown):
        row, column = divmod(index, MARKERS_PER_ROW)
        cell.markers.append(
            (
                number,
                cell.x + 16 + column * MARKER_STEP,
                cell.y + 32 + row * MARKER_STEP,
            )
        )


def matrix(scale: Scale, risks: list[EventRisk], key: str, name: str, stage: str) -> Matrix:
    placed = []
    for risk in risks:
        cell = risk.overall(stage) if key == OVERALL else risk.cells[stage].get(key)
        if cell is not None:
            placed.append((risk.event, cell))
    at: dict = {}
    for event, cell in placed:
        at.setdefault((cell.probability, cell.consequence), []).append(event.number)
    rows = []
    for row, p in enumerate(range(scale.size, 0, -1)):
        cells = []
        for c in range(1, scale.size + 1):
            view = MatrixCellView(
                p,
                c,
                scale.colour(p, c),
                at.get((p, c), []),
                x=AXIS + (c - 1) * CELL_W,
                y=row * CELL_H,
            )
            _place_markers(view)
            cells.append(view)
        rows.append(cells)
    return Matrix(key=key, name=name, stage=stage, size=scale.size, rows=rows, placed=placed)


def table_rows(risks: list[EventRisk], key: str) -> list[tuple]:
    """(event, cell before, cell after) per event, for the table beside a matrix."""
    if key == OVERALL:
        return [(risk.event, risk.before, risk.after) for risk in risks]
    return [(risk.event, risk.cells[BEFORE].get(key), risk.cells[AFTER].get(key)) for risk in risks]


def revision_diff(old: Analysis, new: Analysis, scale: Scale) -> dict:
    """What changed from `old` to `new`: events added, removed and re-scored (old → new
    probability and consequence per dimension, before and after measures)."""
    old_events = {e.pk: e for e in analysis_events(old)}
    new_events = list(analysis_events(new))
    matched = {e.previous_id for e in new_events if e.previous_id in old_events}
    added = [e for e in new_events if e.previous_id not in old_events]
    removed = [e for pk, e in old_events.items() if pk not in matched]
    rescored = []
    for event in new_events:
        before = old_events.get(event.previous_id)
        if before is None:
            continue
        was, now = event_risk(before, scale), event_risk(event, scale)
        changes = []
        for stage, label, old_p, new_p in (
            (BEFORE, ConsequenceScore.Stage.BEFORE.label, before.probability, event.probability),
            (
                AFTER,
                ConsequenceScore.Stage.AFTER.label,
                before.residual_probability,
                event.residual_probability,
            ),
        ):
            items = []
            if old_p != new_p:
                items.append(("probability", None, old_p, new_p))
            for dimension in scale.dimensions:
                a = was.scores[stage].get(dimension.key)
                b = now.scores[stage].get(dimension.key)
                old_level, new_level = a.level if a else None, b.level if b else None
                if old_level != new_level:
                    items.append(("consequence", dimension.name, old_level, new_level))
            if items:
                changes.append(
                    {
                        "stage": label,
                        "items": items,
                        "old": was.overall(stage),
                        "new": now.overall(stage),
                    }
                )
        if changes:
            rescored.append({"event": event, "previous": before, "changes": changes})
    return {"added": added, "removed": removed, "rescored": rescored}


# Scoring rounds ----------------------------------------------------------------------------

# The room sees nothing but the count until this many have voted on an event.
MIN_VOTES = 3


@dataclass
class ItemResult:
    """The votes on one thing (the probability, or one consequence dimension) of an event."""

    key: str
    name: str
    counts: dict  # level -> number of votes
    unknown: int = 0  # votes that answered "don't know" (no score) for it

    @property
    def values(self) -> list[int]:
        return sorted(level for level, n in self.counts.items() for _i in range(n))

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    @property
    def median(self) -> int | None:
        """The median, rounded half up to a level (what the settle form starts from)."""
        values = self.values
        if not values:
            return None
        middle = len(values) // 2
        if len(values) % 2:
            return values[middle]
        return (values[middle - 1] + values[middle] + 1) // 2

    @property
    def exact_median(self) -> float | None:
        values = self.values
        if not values:
            return None
        middle = len(values) // 2
        if len(values) % 2:
            return float(values[middle])
        return (values[middle - 1] + values[middle]) / 2

    @property
    def low(self) -> int | None:
        return min(self.counts) if self.counts else None

    @property
    def high(self) -> int | None:
        return max(self.counts) if self.counts else None

    @property
    def range(self) -> int:
        return (self.high - self.low) if self.counts else 0

    @property
    def level_counts(self) -> list[tuple[int, int]]:
        """(level, votes) for each level that got votes, lowest first."""
        return sorted(self.counts.items())


def agreement(items: list[ItemResult]) -> str:
    """Agreement among the voters, from the widest spread of any item: every vote within
    one level of the others is strong, within two medium, more is weak."""
    widest = max((item.range for item in items if item.count), default=0)
    Knowledge = UnwantedEvent.Knowledge
    return Knowledge.STRONG if widest <= 1 else Knowledge.MEDIUM if widest == 2 else Knowledge.WEAK


@dataclass
class EventResult:
    event: UnwantedEvent
    item: object  # the RoundEvent
    voters: int
    items: list  # ItemResult: the probability first, then each dimension
    size: int

    @property
    def shown(self) -> bool:
        return self.voters >= MIN_VOTES

    @property
    def agreement(self) -> str:
        return agreement(self.items)

    @property
    def agreement_label(self) -> str:
        return UnwantedEvent.Knowledge(self.agreement).label

    def spread(self, code: str) -> dict:
        """What is kept on the event when it is settled (`UnwantedEvent.settled_spread`)."""
        data = {"round": code, "votes": self.voters}
        for item in self.items:
            data[item.key] = {str(level): n for level, n in sorted(item.counts.items())}
        return data


def round_results(scoring_round, scale: Scale) -> list[EventResult]:
    """Count, median and spread per event of a round: three queries for any number of
    events and votes."""
    items = list(
        RoundEvent.objects.filter(round=scoring_round)
        .select_related("event")
        .order_by("event__number")
    )
    votes: dict = {item.event_id: [] for item in items}
    # Plain rows, not model instances: the room view polls this every few seconds.
    for event_id, probability, consequences in Vote.objects.filter(round=scoring_round).values_list(
        "event_id", "probability", "consequences"
    ):
        votes.setdefault(event_id, []).append((probability, consequences or {}))
    results = []
    for item in items:
        cast = votes[item.event_id]
        probability = ItemResult("probability", _("Probability"), {})
        dimensions = [ItemResult(d.key, d.name, {}) for d in scale.dimensions]
        for level_of_probability, consequences in cast:
            if level_of_probability is None:  # "don't know"
                probability.unknown += 1
            else:
                probability.counts[level_of_probability] = (
                    probability.counts.get(level_of_probability, 0) + 1
                )
            for dimension in dimensions:
                level = consequences.get(dimension.key)
                if isinstance(level, int):
                    dimension.counts[level] = dimension.counts.get(level, 0) + 1
                else:
                    dimension.unknown += 1
        results.append(
            EventResult(
                event=item.event,
                item=item,
                voters=len(cast),
                items=[probability, *dimensions],
                size=scale.size,
            )
        )
    return results


def spread_items(spread: dict, scale: Scale) -> list[ItemResult]:
    """A settled spread (`UnwantedEvent.settled_spread`) as items, for the event page."""
    names = [("probability", _("Probability"))] + [(d.key, d.name) for d in scale.dimensions]
    items = []
    for key, name in names:
        counts = spread.get(key) or {}
        parsed = {int(level): n for level, n in counts.items() if str(level).isdigit()}
        if parsed:
            items.append(ItemResult(key, name, parsed))
    return items


# Observed against assessed -----------------------------------------------------------------

# Concerns linked to an event (in any revision of it) over this many days give its observed
# frequency per year (see docs/risk.md).
OBSERVED_DAYS = 365


@dataclass
class Observation:
    """Concerns about an event over the last 12 months, on the probability scale."""

    count: int
    level: int | None  # the observed probability level; None without concerns or thresholds
    assessed: int | None

    @property
    def flagged(self) -> bool:
        """Observed more often than assessed: the event should be re-assessed."""
        return self.level is not None and self.assessed is not None and self.level > self.assessed


def observed_level(count: int, levels) -> int | None:
    """The highest probability level whose "observed per year from" the count reaches."""
    if count <= 0:
        return None
    reached = [
        level.value
        for level in levels
        if level.observed_per_year_from is not None and count >= level.observed_per_year_from
    ]
    return max(reached, default=None)


def observed_counts(lineages) -> dict:
    """{lineage: concerns linked to any revision of the event in the last 12 months, not
    cancelled}. One query for any number of events."""
    since = timezone.now() - timedelta(days=OBSERVED_DAYS)
    recent = Q(concerns__created_at__gte=since) & ~Q(concerns__status="cancelled")
    rows = (
        UnwantedEvent.objects.filter(lineage__in=list(lineages))
        .values("lineage")
        .annotate(n=Count("concerns", filter=recent))
        .order_by()
    )
    counts: dict = {}
    for row in rows:
        counts[row["lineage"]] = counts.get(row["lineage"], 0) + row["n"]
    return counts


def observations(events, probability_levels) -> dict:
    """{event pk: Observation} for events of one analysis (one query)."""
    counts = observed_counts({event.lineage for event in events})
    result = {}
    for event in events:
        count = counts.get(event.lineage, 0)
        result[event.pk] = Observation(
            count, observed_level(count, probability_levels), event.probability
        )
    return result


def events_to_reassess(project) -> list[tuple]:
    """(event, Observation) for the events of the project's current analyses (the newest
    revision of each) that are observed more often than assessed. Three queries."""
    events = list(
        UnwantedEvent.objects.filter(analysis__project=project, probability__isnull=False)
        .exclude(analysis__status=Analysis.Status.SUPERSEDED)
        .select_related("analysis")
        .order_by("analysis__title", "number")
    )
    newest: dict = {}
    for event in events:
        newest[event.analysis.series] = max(
            newest.get(event.analysis.series, 0), event.analysis.revision
        )
    events = [e for e in events if e.analysis.revision == newest[e.analysis.series]]
    if not events:
        return []
    levels: dict = {}
    for level in ProbabilityLevel.objects.filter(
        version_id__in={e.analysis.scale_version_id for e in events}
    ):
        levels.setdefault(level.version_id, []).append(level)
    counts = observed_counts({event.lineage for event in events})
    flagged = []
    for event in events:
        count = counts.get(event.lineage, 0)
        seen = Observation(
            count,
            observed_level(count, levels.get(event.analysis.scale_version_id, [])),
            event.probability,
        )
        if seen.flagged:
            flagged.append((event, seen))
    return flagged


# The published summary (what the public sees of an approved analysis).


def summary_organisations(analysis: Analysis) -> list[str]:
    """The organisations that took part, as the analysis lists them under "represents": the
    coordinator chooses which to publish. A participant's own name is never offered."""
    seen: list[str] = []
    for represents in analysis.participants.values_list("represents", flat=True):
        represents = represents.strip()
        if represents and represents not in seen:
            seen.append(represents)
    return seen


def _public_cell(cell: Cell | None) -> dict | None:
    if cell is None:
        return None
    return {"probability": cell.probability, "consequence": cell.consequence, "colour": cell.colour}


def summary_content(analysis: Analysis, *, descriptions: dict, organisations: list[str]) -> dict:
    """The snapshot to publish: only what was written for the public (the descriptions the
    coordinator entered, by event lineage), titles, scores, measures with their owner unit and
    status, and organisations. No names of persons, no internal free text."""
    scale = load_scale(analysis.scale_version)
    events = list(analysis_events(analysis))
    measures = event_measures(events, analysis.revision)
    content_events = []
    for event in events:
        risk = event_risk(event, scale)
        content_events.append(
            {
                "number": event.number,
                "lineage": str(event.lineage),
                "title": event.title,
                "description": descriptions.get(str(event.lineage), "").strip(),
                "before": _public_cell(risk.before),
                "after": _public_cell(risk.after),
                "measures": [
                    {
                        "text": measure.public_text or measure.title,
                        "unit": measure.owner_unit.name,
                        "status": measure.status,
                    }
                    for measure in measures.get(event.lineage, [])
                    if measure.status != Measure.Status.CANCELLED
                ],
            }
        )
    return {
        "revision": analysis.revision,
        "approved_on": (analysis.approved_at or timezone.now()).date().isoformat(),
        "size": scale.size,
        "cells": [
            [scale.colour(p, c) for c in range(1, scale.size + 1)] for p in range(scale.size, 0, -1)
        ],
        "organisations": organisations,
        "events": content_events,
    }


def published_summaries(project):
    """The project's published risk summaries, newest first."""
    return PublishedSummary.objects.filter(project=project).order_by("-published_at")


# The words the public reads for a cell's colour (the colour is never the only cue).
PUBLIC_RISK_WORD = {
    Colour.GREEN: pgettext_lazy("risk level", "Low"),
    Colour.YELLOW: pgettext_lazy("risk level", "Medium"),
    Colour.RED: pgettext_lazy("risk level", "High"),
}


def _public_level(cell: dict | None) -> dict | None:
    if not cell:
        return None
    return {**cell, "word": PUBLIC_RISK_WORD.get(cell["colour"], "")}


def summary_display(content: dict) -> dict:
    """A published snapshot made ready for its template: the risk words, the measures'
    status labels and the matrix as rows of cells holding the events' numbers."""
    events = []
    at: dict = {}
    for event in content.get("events", []):
        before, after = _public_level(event.get("before")), _public_level(event.get("after"))
        for stage, cell in (("before", before), ("after", after)):
            if cell:
                key = (cell["probability"], cell["consequence"])
                at.setdefault(key, {"before": [], "after": []})[stage].append(event["number"])
        events.append(
            {
                **event,
                "before": before,
                "after": after,
                "measures": [
                    {**m, "status_label": Measure.Status(m["status"]).label}
                    for m in event.get("measures", [])
                ],
            }
        )
    size = content.get("size", 0)
    rows = []
    for index, colours in enumerate(content.get("cells", [])):
        p = size - index
        cells = []
        for c, colour in enumerate(colours, start=1):
            placed = at.get((p, c), {"before": [], "after": []})
            cells.append(
                {
                    "consequence": c,
                    "colour": colour,
                    "word": PUBLIC_RISK_WORD.get(colour, ""),
                    **placed,
                }
            )
        rows.append({"probability": p, "cells": cells})
    approved_on = content.get("approved_on")
    return {
        **content,
        "approved_on": date.fromisoformat(approved_on) if approved_on else None,
        "events": events,
        "rows": rows,
        "consequences": list(range(1, size + 1)),
    }


def summary_page(summary: PublishedSummary) -> dict:
    """A published summary as its template reads it (the same shape as the staff preview)."""
    return {
        "id": summary.pk,
        "content": summary_display(summary.content),
        "published_at": summary.published_at,
        "first_published_at": summary.first_published_at,
        "is_updated": summary.is_updated,
    }


def public_summaries(project) -> list[dict]:
    """The project's published summaries, ready for the public pages (one query)."""
    return [summary_page(summary) for summary in published_summaries(project)]
