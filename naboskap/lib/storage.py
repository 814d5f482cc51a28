"""Private file storage: files with personal data that have no URL of their own.

The files live under settings.PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and STATIC_ROOT: photos
attached to concerns and observations, and stored documents (naboskap.documents). Only a
view that checks who may see the object sends one.

The class keeps the dotted path it had when it lived in `naboskap.concerns.storage`, where
the migrations of the apps that use it find it.
"""

import os

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
