"""Coordinates: EUREF89 UTM zone 33 (EPSG:25833, Kartverket's national grid) and latitude and
longitude, converted with pyproj (PROJ). Distances are geodesic, on the GRS80 ellipsoid."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

from pyproj import Geod, Transformer

UTM33 = "EPSG:25833"
# The coordinate systems an address file may use (Kartverket's `EPSG-kode` column): UTM zones
# 32, 33 and 35 on EUREF89, and latitude/longitude on EUREF89 (4258) or WGS84 (4326).
PROJECTED = frozenset({"25832", "25833", "25835"})
GEOGRAPHIC = frozenset({"4258", "4326"})
SUPPORTED = PROJECTED | GEOGRAPHIC
# Norway with Svalbard and Jan Mayen, a little generously: a point outside is a bad coordinate.
LATITUDES = (57.0, 82.0)
LONGITUDES = (-10.0, 35.0)
# A grid distance in zone 33 is at most about 1 % longer than the true one anywhere in Norway
# (the scale factor grows away from 15° E); a search box of this much covers every address.
GRID_SCALE_MARGIN = 1.02

_geod = Geod(ellps="GRS80")


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_utm33(longitudes: Sequence[float], latitudes: Sequence[float]):
    """(eastings, northings) in EPSG:25833."""
    return _transformer("EPSG:4326", UTM33).transform(longitudes, latitudes)


def to_geographic(epsg: str, xs: Sequence[float], ys: Sequence[float]):
    """(longitudes, latitudes) from x (east) and y (north) in a supported EPSG code."""
    if epsg in GEOGRAPHIC:
        return list(xs), list(ys)
    return _transformer(f"EPSG:{epsg}", "EPSG:4326").transform(xs, ys)


def point_to_utm33(latitude: float, longitude: float) -> tuple[float, float]:
    easting, northing = _transformer("EPSG:4326", UTM33).transform(longitude, latitude)
    return easting, northing


def in_norway(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and LATITUDES[0] <= latitude <= LATITUDES[1]
        and LONGITUDES[0] <= longitude <= LONGITUDES[1]
    )


def distances_m(
    latitude: float, longitude: float, latitudes: Sequence[float], longitudes: Sequence[float]
) -> list[float]:
    """Geodesic distances in metres from one point to each of many."""
    if not latitudes:
        return []
    count = len(latitudes)
    _forward, _back, distances = _geod.inv(
        [longitude] * count, [latitude] * count, list(longitudes), list(latitudes)
    )
    return list(distances)


def offset(latitude: float, longitude: float, bearing: float, metres: float):
    """The point `metres` away from (latitude, longitude) towards `bearing` (degrees)."""
    lon, lat, _back = _geod.fwd(longitude, latitude, bearing, metres)
    return lat, lon
