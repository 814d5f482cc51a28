"""Periodic jobs (listed in naboskap.scheduling.jobs): `send_archive`, the safety net that
sends what waits should the task queued after commit be lost, and `archive_receipts`, which
reads the archive's receipts from the folder transport and its answers by Fiks IO."""

from naboskap.archive import delivery, fiks_io_receipts, receipts
from naboskap.archive.models import Settings
from naboskap.scheduling.jobs import Counts


def send_waiting(counts: Counts) -> None:
    counts.add("archive_sent", count=delivery.send_due())


def import_receipts(counts: Counts) -> None:
    for archive in Settings.objects.filter(enabled=True).select_related("municipality"):
        named = receipts.import_folder(archive.municipality)
        if named:
            counts.add("archive_receipts", archive.municipality_id, count=named)
    # Answers by Fiks IO, for the archives that take packages that way (none unless set up).
    read = fiks_io_receipts.receive()
    if read:
        counts.add("archive_fiks_io_messages", count=read)
