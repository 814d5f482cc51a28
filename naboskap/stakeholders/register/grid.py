"""The influence × stance grid of a project's stakeholder analysis, as geometry for the SVG
(`stakeholders/includes/grid_svg.html`). The table beside it shows the same assessments."""

from __future__ import annotations

from dataclasses import dataclass, field

from naboskap.stakeholders.models import Assessment

STANCES = [
    Assessment.Stance.SUPPORTIVE,
    Assessment.Stance.NEUTRAL,
    Assessment.Stance.WORRIED,
    Assessment.Stance.OPPOSED,
    Assessment.Stance.UNKNOWN,
]
CELL_W, CELL_H = 100, 64
LEFT, TOP, BOTTOM = 44, 8, 44
PER_ROW, SHOWN = 4, 8  # markers per line in a cell, markers drawn before "+n"


@dataclass
class Cell:
    influence: int
    stance: str
    x: int
    y: int
    numbers: list[int] = field(default_factory=list)
    markers: list[tuple[int, int, int]] = field(default_factory=list)
    more: int = 0


@dataclass
class Grid:
    rows: list[list[Cell]]
    columns: list[tuple[str, int]]  # stance label, x of its centre
    influence_labels: list[tuple[int, int]]  # level, y of its centre
    width: int
    height: int
    cell_w: int = CELL_W
    cell_h: int = CELL_H
    placed: int = 0

    @property
    def axis_y(self) -> int:
        return TOP + 5 * CELL_H + 36

    @property
    def axis_x(self) -> int:
        return LEFT + len(STANCES) * CELL_W // 2

    @property
    def side_x(self) -> int:
        return 12

    @property
    def side_y(self) -> int:
        return TOP + 5 * CELL_H // 2


def build(assessments: list[Assessment]) -> Grid:
    """Place each numbered assessment (its number is its place in `assessments`, from 1)
    in the cell of its influence and stance."""
    rows = [
        [
            Cell(influence=influence, stance=stance, x=LEFT + c * CELL_W, y=TOP + r * CELL_H)
            for c, stance in enumerate(STANCES)
        ]
        for r, influence in enumerate(range(5, 0, -1))
    ]
    by_key = {(cell.influence, cell.stance): cell for row in rows for cell in row}
    for number, assessment in enumerate(assessments, start=1):
        by_key[(assessment.influence, assessment.stance)].numbers.append(number)
    for cell in by_key.values():
        for index, number in enumerate(cell.numbers[:SHOWN]):
            line, place = divmod(index, PER_ROW)
            cell.markers.append((number, cell.x + 14 + place * 24, cell.y + 22 + line * 24))
        cell.more = max(0, len(cell.numbers) - SHOWN)
    labels = dict(Assessment.Stance.choices)
    return Grid(
        rows=rows,
        columns=[(labels[s], LEFT + c * CELL_W + CELL_W // 2) for c, s in enumerate(STANCES)],
        influence_labels=[(5 - r, TOP + r * CELL_H + CELL_H // 2 + 4) for r in range(5)],
        width=LEFT + len(STANCES) * CELL_W + 4,
        height=TOP + 5 * CELL_H + BOTTOM,
        placed=len(assessments),
    )
