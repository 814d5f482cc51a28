"""How a package reaches the archive (ADR 0033).

A `Package` is one arkivmelding: `arkivmelding.xml` and the documents it names. A transport
delivers it and says where it went; it raises `TemporaryFailure` when trying again later may
help (the folder is not mounted, Fiks IO is away) and `PermanentFailure` when it will not.

- `fiks_io.FiksIOTransport`, when the municipality names its archive's Fiks IO account: a
  signed and encrypted ASiC-E sent to that account (ADR 0033).
- `FolderTransport` (the default): writes the package as a zip into `ARCHIVE_FOLDER`, for the
  archive system's import. The zip is written under a temporary name and renamed, so an
  import never reads half a package. The same package always gives the same bytes.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

XML_NAME = "arkivmelding.xml"
# Zip entries carry this time, not the moment they were written: the same package gives
# the same bytes (its XML has its own timestamp).
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


class TemporaryFailure(Exception):
    """Sending failed in a way that trying again later may mend."""


class PermanentFailure(Exception):
    """Sending failed in a way that trying again will not mend."""


@dataclass
class Package:
    # The file name the package is written as: the registration's external key, made safe.
    name: str
    xml: bytes
    # File name in the package -> content, in the order the XML names them.
    files: dict[str, bytes] = field(default_factory=dict)

    def zip_bytes(self) -> bytes:
        """The package as a plain zip: `arkivmelding.xml` first, then the documents."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in [(XML_NAME, self.xml), *self.files.items()]:
                info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
        return buffer.getvalue()


class FolderTransport:
    name = "folder"

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)

    def send(self, package: Package) -> str:
        """Write the package; returns its file name. A package already there is replaced
        (a resend carries the same external key, and the archive recognises it)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{package.name}.zip"
            partial = self.directory / f".{package.name}.zip.part"
            partial.write_bytes(package.zip_bytes())
            os.replace(partial, target)
        except OSError as error:
            raise TemporaryFailure(f"{self.directory}: {error.strerror or error}") from error
        return target.name


def folder() -> Path:
    return Path(settings.ARCHIVE_FOLDER)


def receipts_folder() -> Path:
    return Path(settings.ARCHIVE_RECEIPTS_FOLDER)


def transport_for(archive_settings):
    """The transport a municipality's packages go by: Fiks IO when its archive's account is
    set, else its own folder below ARCHIVE_FOLDER."""
    if archive_settings.fiks_io_account:
        from naboskap.archive.fiks_io import FiksIOTransport  # fiks_io imports this module

        return FiksIOTransport(account=archive_settings.fiks_io_account)
    return FolderTransport(folder() / archive_settings.municipality.slug)
