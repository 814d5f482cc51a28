"""Private file storage for photos attached to concerns.

The storage itself is `naboskap.lib.storage` (shared with stored documents); its class keeps
this module's dotted path for the migrations. The files have no URL: only `concerns:photo`,
which checks who may see the concern, sends them.
"""

import secrets

from naboskap.lib.storage import PrivateStorage, private_storage

__all__ = ["PrivateStorage", "photo_path", "private_storage"]


def photo_path(instance, filename: str) -> str:
    """A random, unguessable name; nothing from the uploaded file's name is kept."""
    extension = "png" if instance.content_type == "image/png" else "jpg"
    return f"concerns/{secrets.token_urlsafe(24)}.{extension}"
