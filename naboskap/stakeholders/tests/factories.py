"""Addresses and address files for tests (and the permission matrix)."""

from __future__ import annotations

import itertools
import math

from naboskap.maps import coordinates
from naboskap.stakeholders.models import GRID_ROW_M, Address

HEADER = "lokalId;kommunenummer;adressenavn;nummer;bokstav;postnummer;poststed;EPSG-kode;Nord;Øst"
_ids = itertools.count(1)


def make_address(municipality, latitude: float, longitude: float, **fields) -> Address:
    easting, northing = coordinates.point_to_utm33(latitude, longitude)
    values = {
        "external_id": f"test-{next(_ids)}",
        "street": "Testveien",
        "number": 1,
        "postcode": "9999",
        "post_town": "FJORDBY",
        **fields,
    }
    return Address.objects.create(
        municipality=municipality,
        latitude=latitude,
        longitude=longitude,
        easting=easting,
        northing=northing,
        grid_row=math.floor(northing / GRID_ROW_M),
        **values,
    )


def make_addresses_around(municipality, latitude, longitude, count: int, *, within_m=150):
    """`count` addresses spread on a spiral within `within_m` of a point."""
    made = []
    for index in range(count):
        distance = within_m * (index + 1) / count
        lat, lon = coordinates.offset(latitude, longitude, (index * 137.5) % 360, distance)
        made.append(make_address(municipality, lat, lon, street="Spiralveien", number=index + 1))
    return made


def row(
    external_id,
    number="1",
    *,
    municipality="9911",
    street="Lindeveien",
    letter="",
    postcode="9999",
    town="FJORDBY",
    epsg="25833",
    north="7731796.83",
    east="653210.09",
):
    return ";".join(
        [
            str(external_id),
            municipality,
            street,
            str(number),
            letter,
            postcode,
            town,
            epsg,
            north,
            east,
        ]
    )


def csv_file(tmp_path, *rows: str, header: str = HEADER, encoding="utf-8", name="adresser.csv"):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path
