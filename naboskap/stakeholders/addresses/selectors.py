"""Reads about the address register."""

from naboskap.stakeholders.models import (
    AddressImport,
)
from naboskap.tenancy.models import Municipality


def last_import(municipality: Municipality) -> AddressImport | None:
    return municipality.address_imports.select_related("started_by").first()
