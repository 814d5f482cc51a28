"""Positions on maps: checked, rounded before they are stored, and turned into map layers.

A position a neighbour marks can point at a resident's door, so it is rounded to the centre
of a square of `CONCERN_POSITION_ROUNDING_M` metres on Kartverket's national grid (EUREF89
UTM 33) before it is saved: near enough to find the bus stop, too coarse to find a flat.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from naboskap.lib.errors import DomainError
from naboskap.maps import coordinates


class PositionError(DomainError):
    """A position that is not a place in Norway, or half of one."""


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    # On the national grid (EUREF89 UTM 33, metres), once rounded: the square's centre.
    easting: float | None = None
    northing: float | None = None


# How a model stores a position (see concerns.Concern).
STORED_FIELDS = ("latitude", "longitude", "easting", "northing")


def position_checked(latitude: float | None, longitude: float | None) -> Position | None:
    """Both or neither, and inside Norway; None when neither is given."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise PositionError(_("Give both latitude and longitude, or neither."))
    if not coordinates.in_norway(latitude, longitude):
        raise PositionError(_("The place marked is not in Norway. Mark it again on the map."))
    return Position(float(latitude), float(longitude))


def rounded(position: Position, metres: int | None = None) -> Position:
    """The centre of the grid square of `metres` (default: the setting) that holds it."""
    metres = metres or settings.CONCERN_POSITION_ROUNDING_M
    easting, northing = coordinates.point_to_utm33(position.latitude, position.longitude)
    easting = (easting // metres + 0.5) * metres
    northing = (northing // metres + 0.5) * metres
    longitudes, latitudes = coordinates.to_geographic("25833", [easting], [northing])
    return Position(round(latitudes[0], 6), round(longitudes[0], 6), easting, northing)


def position_for_storing(latitude: float | None, longitude: float | None) -> Position | None:
    """What a service stores of a position given by a person: checked, then rounded."""
    position = position_checked(latitude, longitude)
    return rounded(position) if position is not None else None


def stored_fields(position: Position | None) -> dict:
    """A rounded position as the model's fields (all None for no position)."""
    if position is None:
        return dict.fromkeys(STORED_FIELDS)
    return {name: getattr(position, name) for name in STORED_FIELDS}
