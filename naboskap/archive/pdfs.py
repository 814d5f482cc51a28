"""The documents of a concern as the archive receives them (PDF/A-2b, in the active
language): the concern as it came in, each message or internal note, and each photo.

They show what the reporter wrote and what the municipality wrote back, never the workflow
around it (status, deadlines, unit changes). The reporter's contact details are in the
concern's document only when asked for and not yet erased.

Queries: the concern's reads `municipality`, `project` and `category`; a message's reads
`concern__municipality`, `concern__assigned_unit` and `author`; a photo's reads
`concern__municipality` and counts the concern's earlier photos (one query, none when the
caller gives the number). Select them with the object to render many.
"""

from __future__ import annotations

import base64
import io

from django.db.models import Q
from PIL import Image

from naboskap.concerns.models import Concern, Message, Photo
from naboskap.lib.pdf import JPEG_DATA_URI, PNG_DATA_URI, render_pdf

# The area a photo may fill (A4 portrait within pdf.css's margins, below the caption), mm.
PHOTO_BOX_MM = (180, 215)


def concern_pdf(concern: Concern, *, with_contact: bool) -> bytes:
    """The concern as the municipality received it. The reporter's name, email, phone and
    postal address only `with_contact` and while they are not erased; otherwise a line says
    they are left out."""
    context = {
        "concern": concern,
        "municipality": concern.municipality,
        "with_contact": with_contact and concern.contact_erased_at is None,
    }
    return render_pdf("archive/pdf/concern.html", context)


def message_pdf(message: Message) -> bytes:
    """A message on a concern: the answer to the reporter as a letter from the municipality,
    a message from the reporter as received, or an internal note."""
    concern = message.concern
    context = {
        "message": message,
        "concern": concern,
        "municipality": concern.municipality,
        "unit": concern.assigned_unit,
    }
    return render_pdf("archive/pdf/message.html", context)


def photo_pdf(photo: Photo, *, number: int | None = None) -> bytes:
    """One page with the photo scaled to fit it, its number among the concern's photos (by
    `created_at`, pk; counted when not given) and the date it was attached."""
    if number is None:
        earlier = Q(created_at__lt=photo.created_at)
        earlier |= Q(created_at=photo.created_at, pk__lt=photo.pk)
        number = Photo.objects.filter(earlier, concern_id=photo.concern_id).count() + 1
    width, height = _fitted(photo.width, photo.height)
    context = {
        "photo": photo,
        "concern": photo.concern,
        "municipality": photo.concern.municipality,
        "number": number,
        "src": _data_uri(photo),
        "width_mm": width,
        "height_mm": height,
    }
    return render_pdf("archive/pdf/photo.html", context)


def _data_uri(photo: Photo) -> str:
    """The photo inlined for `render_pdf`: a JPEG or PNG as stored, anything else (WebP)
    converted to PNG in memory."""
    with photo.image.open("rb") as file:
        data = file.read()
    if photo.content_type == "image/jpeg":
        prefix = JPEG_DATA_URI
    elif photo.content_type == "image/png":
        prefix = PNG_DATA_URI
    else:
        out = io.BytesIO()
        with Image.open(io.BytesIO(data)) as image:
            image.save(out, "PNG")
        data, prefix = out.getvalue(), PNG_DATA_URI
    return prefix + base64.b64encode(data).decode("ascii")


def _fitted(width: int, height: int) -> tuple[float, float]:
    """The photo's size on the page in mm: as large as fits PHOTO_BOX_MM, proportions kept."""
    box_width, box_height = PHOTO_BOX_MM
    width, height = max(width, 1), max(height, 1)
    scale = min(box_width / width, box_height / height)
    return round(width * scale, 1), round(height * scale, 1)
