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

import json
import math
import re
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from naboskap.lib.errors import DomainError
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


class KartverketSource:
    """Kartverket's open address API (Geonorge "adresser", `ADDRESS_API_URL`), asked at the
    moment: no register to import. What it finds is kept in the municipality's register (by
    Kartverket's `lokalid`), because neighbour lists refer to the register's rows; only the
    municipality's own addresses (its `kommunenummer`) are taken. When the service does not
    answer, the caller is told so in words (`AddressServiceError`). Never called in the
    tests: they point `ADDRESS_API_URL` at a server of their own."""

    timeout = 8
    page_size = 1000

    def _get(self, path: str, **query) -> list[dict]:
        url = f"{settings.ADDRESS_API_URL.rstrip('/')}/{path}?{urllib.parse.urlencode(query)}"
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("ADDRESS_API_URL must be an http(s) URL")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (the setting's http(s) URL)
                return json.load(answer).get("adresser") or []
        except (OSError, ValueError) as error:
            raise AddressServiceError(
                _("Kartverket's address service did not answer. Try again in a while.")
            ) from error

    def _keep(self, municipality: Municipality, found: list[dict]) -> list[Address]:
        rows = {}
        for item in found:
            point = item.get("representasjonspunkt") or {}
            if (
                item.get("kommunenummer") != municipality.number
                or item.get("nummer") is None
                or not item.get("lokalid")
                or not coordinates.in_norway(point.get("lat", 0), point.get("lon", 0))
            ):
                continue
            easting, northing = coordinates.point_to_utm33(point["lat"], point["lon"])
            rows[str(item["lokalid"])] = Address(
                municipality=municipality,
                external_id=str(item["lokalid"]),
                street=item.get("adressenavn") or "",
                number=int(item["nummer"]),
                letter=(item.get("bokstav") or "")[:2],
                postcode=item.get("postnummer") or "",
                post_town=item.get("poststed") or "",
                latitude=point["lat"],
                longitude=point["lon"],
                easting=easting,
                northing=northing,
                grid_row=math.floor(northing / GRID_ROW_M),
            )
        if not rows:
            return []
        Address.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["municipality", "external_id"],
            update_fields=[
                "street", "number", "letter", "postcode", "post_town",
                "latitude", "longitude", "easting", "northing", "grid_row",
            ],
        )  # fmt: skip
        return list(Address.objects.filter(municipality=municipality, external_id__in=rows))

    def within(self, *, municipality, latitude, longitude, radius_m):
        found = self._get(
            "punktsok",
            lat=latitude,
            lon=longitude,
            radius=math.ceil(radius_m),
            koordsys=4258,
            utkoordsys=4258,
            treffPerSide=self.page_size,
        )
        kept = self._keep(municipality, found)
        distances = coordinates.distances_m(
            latitude, longitude, [a.latitude for a in kept], [a.longitude for a in kept]
        )
        pairs = [(a, d) for a, d in zip(kept, distances, strict=True) if d <= radius_m]
        return sorted(pairs, key=lambda pair: (pair[1], pair[0].pk))

    def search(self, *, municipality, text):
        text = " ".join(text.split())
        if not text:
            return []
        found = self._get(
            "sok",
            sok=text,
            kommunenummer=municipality.number,
            utkoordsys=4258,
            treffPerSide=SEARCH_LIMIT,
        )
        kept = self._keep(municipality, found)
        return sorted(kept, key=lambda a: (a.street, a.number, a.letter, a.pk))[:SEARCH_LIMIT]


class AddressServiceError(DomainError):
    """An online address source that did not answer."""


def address_source() -> AddressSource:
    return import_string(settings.ADDRESS_SOURCE)()


# A place marked on a map is named by the nearest address within this distance.
NEAREST_WITHIN_M = 150


def nearest_address(*, municipality: Municipality, latitude: float, longitude: float):
    """The municipality's address nearest to a point, within NEAREST_WITHIN_M; else None
    (also when an online source does not answer: naming the place is a help, not a need)."""
    try:
        found = address_source().within(
            municipality=municipality,
            latitude=latitude,
            longitude=longitude,
            radius_m=NEAREST_WITHIN_M,
        )
    except AddressServiceError:
        return None
    return found[0][0] if found else None
