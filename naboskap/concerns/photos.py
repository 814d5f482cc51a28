"""Checking and cleaning photos sent with a concern, before anything is stored.

A photo is accepted by what it is, not by what it is called: Pillow must recognise it as a
JPEG or PNG (whatever its name or the content type the browser claims) and decode it in full,
within a memory budget decided from its header (see DECODE_PIXELS).
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
MAX_SIDE = 4096
JPEG_QUALITY = 85
PNG_MODES = {"1", "L", "LA", "RGB", "RGBA"}

# The memory budget: one photo costs at most about 100 MB while it is checked (a 7000 × 7000
# PNG of 190 kB used to cost 730 MB). Pillow keeps a pixel in 4 bytes (RGB and RGBA alike),
# and each step (turning the photo upright, changing its mode, copying the pixels away from
# the metadata) holds the old and the new picture at once. Scaling down holds up to four
# (with alpha, Pillow premultiplies a copy first, and a half-way picture is made). So the
# budget is kept by how many pixels are ever decoded, decided from the header before any is:
# - DECODE_PIXELS (4096 × 3072; two pictures ≈ 96 MiB) for a picture that needs no scaling:
#   a whole 12-megapixel phone photo (4032 × 3024, 4080 × 3072) is kept as it is;
# - SCALED_DECODE_PIXELS (half that; four pictures ≈ 96 MiB) for one wider or taller than
#   MAX_SIDE, which is scaled down before it is stored.
# A baseline JPEG is decoded scaled down by 1/2, 1/4 or 1/8 while it is read (Pillow's draft
# mode: the full picture is never in memory), so 24-, 48- and 50-megapixel phone photos are
# accepted, up to MAX_PIXELS in the header. A PNG cannot be read scaled down, so a larger one
# is refused: a 7000 × 7000 PNG of a few hundred kB (a decompression bomb) is refused from its
# header, undecoded. A progressive JPEG can be scaled while it is read, but libjpeg keeps all
# its coefficients (2 bytes a sample, up to 4 samples a pixel), so it is refused over
# PROGRESSIVE_MAX_PIXELS (6 megapixels ≈ 50 MB of coefficients); cameras write baseline JPEGs.
MEMORY_BUDGET_MIB = 100
DECODE_PIXELS = 4096 * 3072
SCALED_DECODE_PIXELS = DECODE_PIXELS // 2
MAX_PIXELS = 64_000_000
PROGRESSIVE_MAX_PIXELS = 6_000_000
DRAFT_SCALES = (1, 2, 4, 8)


class TooManyPixels(Exception):
    """The image may be whole, but decoding it would cost more memory than a photo may."""


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


def too_many_pixels(upload) -> str:
    return _(
        "“%(name)s” has too many pixels to be checked. Send the photo as the camera saved it "
        "(JPEG), or a smaller picture."
    ) % {"name": display_name(upload)}


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


def decode_scale(width: int, height: int, *, draftable: bool) -> int | None:
    """How much to scale the picture down while decoding it (1, 2, 4 or 8) to keep within the
    memory budget, or None when it cannot be."""
    for scale in DRAFT_SCALES if draftable else (1,):
        decoded_width, decoded_height = -(-width // scale), -(-height // scale)
        limit = (
            DECODE_PIXELS
            if max(decoded_width, decoded_height) <= MAX_SIDE
            else SCALED_DECODE_PIXELS
        )
        if decoded_width * decoded_height <= limit:
            return scale
    return None


def decode(data: bytes) -> Image.Image | None:
    """The decoded image, within the memory budget, or None when it is not a whole, sane JPEG
    or PNG. Raises TooManyPixels when it is too large to decode within the budget."""
    try:
        with warnings.catch_warnings():
            # Pillow's own limit is far above ours: the size is checked below, from the header.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Image.open reads the header only: no pixel is decoded here.
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
                kind = KIND.get(probe.format)
                if kind is None:
                    return None
                width, height = probe.size
                if width < 1 or height < 1:
                    return None
                progressive = bool(probe.info.get("progressive") or probe.info.get("progression"))
                if kind == "JPEG" and width * height > (
                    PROGRESSIVE_MAX_PIXELS if progressive else MAX_PIXELS
                ):
                    raise TooManyPixels
                scale = decode_scale(width, height, draftable=kind == "JPEG")
                if scale is None:
                    raise TooManyPixels
                probe.verify()
            # `verify` leaves the image unusable: open again and decode every pixel.
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if scale > 1:
                # Decoded scaled down by `scale` (libjpeg's DCT scaling), never at full size.
                image.draft("RGB", (width // scale, height // scale))
            if image.width * image.height > DECODE_PIXELS:  # the draft was not taken
                image.close()
                raise TooManyPixels
            image.load()
            return image
    except TooManyPixels:
        raise
    except Image.DecompressionBombError:
        raise TooManyPixels from None
    except Exception:  # Pillow raises many kinds of error on hostile input
        return None


def reencode(image: Image.Image) -> CleanPhoto:
    """Upright, scaled to at most MAX_SIDE, and saved from the pixels alone.

    Consumes `image`: each step lets go of the picture before it, so that no more pictures
    are in memory at once than the budget above counts.
    """
    kind = KIND[image.format]
    if kind == "JPEG":
        mode = image.mode if image.mode in {"L", "RGB"} else "RGB"
    elif image.mode in PNG_MODES:
        mode = image.mode
    else:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
    if image.mode != mode:
        converted = image.convert(mode)  # keeps `info`, and with it the EXIF orientation
        image.close()  # frees the decoded pixels
        image = converted
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))  # replaces the pixels in place
    ImageOps.exif_transpose(image, in_place=True)
    # A new image of the pixels alone: it has no `info`, so nothing of the original's
    # metadata (EXIF, XMP, ICC profile, comments, PNG text) can be written out again.
    fresh = Image.new(mode, image.size)
    fresh.paste(image)
    image.close()
    out = io.BytesIO()
    if kind == "JPEG":
        # Not `optimize`: libjpeg would keep every coefficient of the photo to do it.
        fresh.save(out, "JPEG", quality=JPEG_QUALITY)
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
        try:
            image = decode(data)
        except TooManyPixels:
            errors.append(too_many_pixels(upload))
            continue
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
