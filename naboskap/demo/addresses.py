"""Demo addresses: the invented sample register for Fjordvik, and Lindeveien's neighbour list.

Called once from `load_demo`; running it again changes nothing (the import is an upsert and
the list is recomputed in place).
"""

from pathlib import Path

from naboskap.stakeholders import services
from naboskap.stakeholders.addresses import services as address_services
from naboskap.stakeholders.models import AddressImport

SAMPLE = (
    Path(__file__).resolve().parent.parent / "stakeholders" / "samples" / "adresser_fjordvik.csv"
)


def load_addresses(projects, users) -> None:
    lindeveien = projects["lindeveien"]
    with SAMPLE.open("rb") as stream:
        address_services.address_import(
            municipality=lindeveien.municipality,
            stream=stream,
            size=SAMPLE.stat().st_size,
            filename=SAMPLE.name,
            via=AddressImport.Via.COMMAND,
            started_by=users["admin"],
        )
    services.neighbour_list_compute(project=lindeveien, radius_m=200, by=users["koordinator"])
