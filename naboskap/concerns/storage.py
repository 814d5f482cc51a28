"""Private file storage: photos attached to concerns.

The files live under settings.PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and STATIC_ROOT, and
have no URL: only `concerns:photo`, which checks who may see the concern, sends them.
"""

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="naboskap.concerns.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    # Read from the settings on each use, so tests (and deployments) can move the folder.
    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None  # `url()` refuses: these files are never served directly

    def deconstruct(self):
        return ("naboskap.concerns.storage.PrivateStorage", (), {})


private_storage = PrivateStorage()


def photo_path(instance, filename: str) -> str:
    """A random, unguessable name; nothing from the uploaded file's name is kept."""
    extension = "png" if instance.content_type == "image/png" else "jpg"
    return f"concerns/{secrets.token_urlsafe(24)}.{extension}"
