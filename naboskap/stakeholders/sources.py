"""Where addresses come from: the seam for Kartverket's online search or the property
register's neighbour service.

`settings.ADDRESS_SOURCE` names a class that implements `AddressSource`. The default,
`RegisterSource`, reads the addresses imported into the database (`manage.py
import_addresses`, or the upload page), which works offline. Another source must return
`Address` rows of the municipality's register (saved, for instance with
`Address.objects.bulk_create(update_conflicts=True)` as the importer does), because neighbour
lists refer to them.
"""

from __future__ import annotations

import math
import re
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from naboskap.maps import coordinates
from naboskap.stakeholders.models import GRID_ROW_M, Address
from naboskap.tenancy.models import Municipality

SEARCH_LIMIT = 20
# "Lindeveien 14B", "lindeveien 14 b", "Lindeveien"
SEARCH = re.compile(r"^(?P<street>.*?)\s*(?:(?P<number>\d{1,5})\s*(?P<letter>[^\W\d_]{0,2}))?$")


class AddressSource(Protocol):
    def within(
        self, *, municipality: Municipality, latitude: float, longitude: float, radius_m: float
    ) -> list[tuple[Address, float]]:
        """The addresses within `radius_m` metres of a point, with their distances, nearest
        first."""
        ...

    def search(self, *, municipality: Municipality, text: str) -> list[Address]:
        """Addresses matching what a person typed: a street, optionally with a number."""
        ...


class RegisterSource:
    """The imported register. A circle's bounding box becomes one index range per 100 m band
    of northing (`grid_row IN (...) AND easting BETWEEN ...`), the same on SQLite and
    PostgreSQL; the exact geodesic distance is then computed for the few rows in the box."""

    def within(self, *, municipality, latitude, longitude, radius_m):
        easting, northing = coordinates.point_to_utm33(latitude, longitude)
        reach = radius_m * coordinates.GRID_SCALE_MARGIN + 1
        rows = range(
            math.floor((northing - reach) / GRID_ROW_M),
            math.floor((northing + reach) / GRID_ROW_M) + 1,
        )
        candidates = list(
            Address.objects.filter(
                municipality=municipality,
                grid_row__in=list(rows),
                easting__gte=easting - reach,
                easting__lte=easting + reach,
                northing__gte=northing - reach,
                northing__lte=northing + reach,
            )
        )
        distances = coordinates.distances_m(
            latitude,
            longitude,
            [a.latitude for a in candidates],
            [a.longitude for a in candidates],
        )
        found = [(a, d) for a, d in zip(candidates, distances, strict=True) if d <= radius_m]
        found.sort(key=lambda pair: (pair[1], pair[0].pk))
        return found

    def search(self, *, municipality, text):
        match = SEARCH.match(" ".join(text.split()))
        if match is None or not match["street"]:
            return []
        addresses = Address.objects.filter(
            municipality=municipality, street__istartswith=match["street"]
        )
        if match["number"]:
            addresses = addresses.filter(number=int(match["number"]))
            if match["letter"]:
                addresses = addresses.filter(letter=match["letter"].upper())
        return list(addresses.order_by("street", "number", "letter", "pk")[:SEARCH_LIMIT])


def address_source() -> AddressSource:
    return import_string(settings.ADDRESS_SOURCE)()


# A place marked on a map is named by the nearest address within this distance.
NEAREST_WITHIN_M = 150


def nearest_address(*, municipality: Municipality, latitude: float, longitude: float):
    """The municipality's address nearest to a point, within NEAREST_WITHIN_M; else None."""
    found = address_source().within(
        municipality=municipality,
        latitude=latitude,
        longitude=longitude,
        radius_m=NEAREST_WITHIN_M,
    )
    return found[0][0] if found else None
