"""Operations on the address register: importing an address file."""

from __future__ import annotations

from typing import BinaryIO

from django.utils import timezone

from naboskap.stakeholders.addresses import importer
from naboskap.stakeholders.models import (
    AddressImport,
)
from naboskap.tenancy.models import Municipality


def address_import(
    *,
    municipality: Municipality,
    stream: BinaryIO,
    size: int,
    filename: str,
    via: str,
    encoding: str = "utf-8",
    dry_run: bool = False,
    started_by=None,
    on_error: importer.ErrorCallback | None = None,
    on_progress: importer.ProgressCallback | None = None,
) -> AddressImport:
    """Import an address file and record what happened (also when it failed as a whole)."""
    record = AddressImport(
        municipality=municipality,
        filename=filename[:255],
        via=via,
        started_by=started_by,
        outcome=AddressImport.Outcome.FAILED,
    )
    try:
        report = importer.import_addresses(
            municipality=municipality,
            stream=stream,
            size=size,
            encoding=encoding,
            dry_run=dry_run,
            on_error=on_error,
            on_progress=on_progress,
        )
    except importer.ImportFailed as exc:
        record.failure = str(exc)
    else:
        record.outcome = AddressImport.Outcome.DRY_RUN if dry_run else AddressImport.Outcome.DONE
        record.rows = report.rows
        record.created = report.created
        record.updated = report.updated
        record.other_municipality = report.other_municipality
        record.error_count = report.error_count
        record.errors = [list(error) for error in report.errors]
    record.finished_at = timezone.now()
    record.save()
    return record
