"""The neighbour list as CSV: semicolons and UTF-8 with a byte-order mark, so Excel opens it
with the Norwegian letters intact. The headers are Norwegian whatever the page language: the
file goes to Norwegian tools (mail merge, printers)."""

import csv
import io

from naboskap.lib.spreadsheets import csv_cell
from naboskap.stakeholders.models import NeighbourList
from naboskap.stakeholders.selectors import neighbour_entries

HEADERS = [
    "Adresse",
    "Gatenavn",
    "Husnummer",
    "Bokstav",
    "Postnummer",
    "Poststed",
    "Avstand (m)",
    "Lagt til manuelt",
    "Adresse-ID",
]


def neighbour_list_csv(neighbour_list: NeighbourList) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(header) for header in HEADERS])
    for entry in neighbour_entries(neighbour_list).iterator(chunk_size=2000):
        address = entry.address
        row = [
            str(address),
            address.street,
            address.number,
            address.letter,
            address.postcode,
            address.post_town,
            round(entry.distance_m),
            "ja" if entry.added_by_hand else "nei",
            address.external_id,
        ]
        # Addresses come from imported files: text that looks like a formula is defused.
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
