"""Counting places per square of the national grid (EUREF89 UTM 33), in the database.

Rows that have `easting` and `northing` (metres) are grouped by the square of `cell_m` metres
that holds them, in one query whatever their number: the staff map of concerns shows each
square as a cluster with its count, and the police's situation picture shows counts per
square and never a single point. A square with fewer than `SMALL_COUNT` rows is told as
"under 5", not by its count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, F, QuerySet
from django.db.models.functions import Floor
from django.utils.translation import pgettext_lazy

from naboskap.maps import coordinates

SMALL_COUNT = 5
# The compass points, clockwise from north, for "300 m NE of the site" (translated when
# used: Norwegian says NØ for north-east).
BEARINGS = (
    pgettext_lazy("compass point", "N"),
    pgettext_lazy("compass point", "NE"),
    pgettext_lazy("compass point", "E"),
    pgettext_lazy("compass point", "SE"),
    pgettext_lazy("compass point", "S"),
    pgettext_lazy("compass point", "SW"),
    pgettext_lazy("compass point", "W"),
    pgettext_lazy("compass point", "NW"),
)


@dataclass(frozen=True)
class Cell:
    column: int
    row: int
    size_m: int
    count: int
    latitude: float  # the mean of the rows' positions (a cluster's place on a map)
    longitude: float

    @property
    def is_small(self) -> bool:
        return self.count < SMALL_COUNT

    def corners(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((south, west), (north, east)) in latitude and longitude."""
        xs = [self.column * self.size_m, (self.column + 1) * self.size_m]
        ys = [self.row * self.size_m, (self.row + 1) * self.size_m]
        longitudes, latitudes = coordinates.to_geographic("25833", xs, ys)
        return (latitudes[0], longitudes[0]), (latitudes[1], longitudes[1])

    def centre_on_grid(self) -> tuple[float, float]:
        """(easting, northing) of the square's centre."""
        return (self.column + 0.5) * self.size_m, (self.row + 0.5) * self.size_m


def cells(rows: QuerySet, cell_m: int) -> list[Cell]:
    """The squares of `cell_m` metres that hold `rows` (with easting/northing), busiest first."""
    grouped = (
        rows.filter(easting__isnull=False, northing__isnull=False)
        .annotate(column=Floor(F("easting") / cell_m), row=Floor(F("northing") / cell_m))
        .values("column", "row")
        .annotate(count=Count("pk"), latitude=Avg("latitude"), longitude=Avg("longitude"))
        .order_by("-count", "column", "row")
    )
    return [
        Cell(int(g["column"]), int(g["row"]), cell_m, g["count"], g["latitude"], g["longitude"])
        for g in grouped
    ]


def where_from(site: tuple[float, float], point: tuple[float, float]) -> tuple[int, str]:
    """How far and in which compass direction `point` is from `site` (latitude, longitude):
    (metres, "NE")."""
    return direction(coordinates.point_to_utm33(*site), coordinates.point_to_utm33(*point))


def direction(origin: tuple[float, float], target: tuple[float, float]) -> tuple[int, str]:
    """`where_from` for two points already on the grid (easting, northing)."""
    (x0, y0), (x1, y1) = origin, target
    distance = math.hypot(x1 - x0, y1 - y0)
    bearing = math.degrees(math.atan2(x1 - x0, y1 - y0)) % 360
    return round(distance, -1), str(BEARINGS[round(bearing / 45) % 8])
