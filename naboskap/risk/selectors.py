"""Reads that the analysis pages share: a scale version with its levels and cells, the
events of an analysis with their scores, risk per dimension and overall, the matrices and
the difference between two revisions. Everything is loaded in a fixed number of queries
and computed in Python, so the pages cost the same with 10 events as with 200."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from naboskap.plans.models import Measure
from naboskap.risk.models import (
    COLOUR_RANK,
    COLOUR_WORD,
    Analysis,
    Colour,
    ConsequenceDimension,
    ConsequenceScore,
    ScaleVersion,
    UnwantedEvent,
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
    from naboskap.risk.models import RiskScale

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
