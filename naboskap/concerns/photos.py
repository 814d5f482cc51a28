"""Checking and cleaning photos sent with a concern, before anything is stored.

A photo is accepted by what it is, not by what it is called: Pillow must recognise it as a
JPEG or PNG (whatever its name or the content type the browser claims) and decode it in full.
It is then turned upright (EXIF orientation) and re-encoded from its pixels alone, so no
EXIF (GPS position, camera, time), XMP, ICC profile, comment or text chunk survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
# Some cameras write multi-picture JPEGs; Pillow calls them MPO. The first picture is kept.
KIND = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
# Decoding more pixels than this is refused (decompression bombs); a 48-megapixel phone
# photo passes. Larger photos are scaled down to MAX_SIDE before storing.
MAX_PIXELS = 50_000_000
MAX_SIDE = 4096
JPEG_QUALITY = 85
PNG_MODES = {"1", "L", "LA", "RGB", "RGBA"}


@dataclass(frozen=True)
class CleanPhoto:
    """A checked, re-encoded photo, ready to store."""

    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"


def max_bytes() -> int:
    return settings.CONCERN_PHOTO_MAX_BYTES


def max_count() -> int:
    return settings.CONCERN_PHOTO_MAX_COUNT


def display_name(upload) -> str:
    name = str(getattr(upload, "name", "") or _("photo"))
    return name if len(name) <= 60 else name[:57] + "…"


def not_a_photo(upload) -> str:
    return _("“%(name)s” is not a JPEG or PNG photo.") % {"name": display_name(upload)}


def too_large(upload) -> str:
    megabytes = max_bytes() / (1024 * 1024)
    return _("“%(name)s” is larger than %(size)s MB.") % {
        "name": display_name(upload),
        "size": f"{megabytes:g}",
    }


def too_many() -> str:
    count = max_count()
    return ngettext(
        "You can attach at most %(count)d photo.",
        "You can attach at most %(count)d photos.",
        count,
    ) % {"count": count}


def read_upload(upload) -> bytes | None:
    """The upload's bytes, or None when it is larger than the limit (never reads more)."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        return None
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    return None if len(data) > limit else data


def decode(data: bytes) -> Image.Image | None:
    """The fully decoded image, or None when it is not a whole, sane JPEG or PNG."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
                if probe.format not in KIND:
                    return None
                width, height = probe.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    return None
                probe.verify()
            # `verify` leaves the image unusable: open again and decode every pixel.
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if KIND.get(image.format) == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode large JPEGs scaled down
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except Exception:  # Pillow raises many kinds of error on hostile input
        return None


def reencode(image: Image.Image) -> CleanPhoto:
    """Upright, scaled to at most MAX_SIDE, and saved from the pixels alone."""
    kind = KIND[image.format]
    upright = ImageOps.exif_transpose(image)
    if kind == "JPEG":
        if upright.mode not in {"L", "RGB"}:
            upright = upright.convert("RGB")
    elif upright.mode not in PNG_MODES:
        has_alpha = "A" in upright.getbands() or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image from the raw pixels: it has no `info`, so nothing of the original's metadata
    # (EXIF, XMP, ICC profile, comments, PNG text) can be written out again.
    fresh = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        fresh.save(out, "PNG", optimize=True)
    return CleanPhoto(
        data=out.getvalue(), content_type=FORMATS[kind], width=fresh.width, height=fresh.height
    )


def clean_photos(files, *, already: int = 0) -> list[CleanPhoto]:
    """Check and re-encode every upload, or raise one ValidationError naming each problem.

    `already` is how many photos the concern has. Items that are already CleanPhoto pass.
    """
    files = list(files or [])
    errors = []
    if already + len(files) > max_count():
        errors.append(too_many())
    cleaned = []
    for upload in files:
        if isinstance(upload, CleanPhoto):
            cleaned.append(upload)
            continue
        data = read_upload(upload)
        if data is None:
            errors.append(too_large(upload))
            continue
        image = decode(data)
        if image is None:
            errors.append(not_a_photo(upload))
            continue
        try:
            with image:
                cleaned.append(reencode(image))
        except Exception:
            errors.append(not_a_photo(upload))
    if errors:
        raise ValidationError(errors)
    return cleaned
