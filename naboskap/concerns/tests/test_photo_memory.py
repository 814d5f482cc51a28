"""One photo costs at most about 100 MB to check, however many pixels its header claims.

Each case runs in a fresh Python process, which measures its own peak resident memory
(`ru_maxrss`) before and after checking one upload with `clean_photos`, the function every way
in uses (the public form, the caretaker's form, Open311, the services).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from naboskap.concerns import photos

REPOSITORY = Path(__file__).resolve().parents[3]

MAKE = """
import io, sys
from PIL import Image
kind, width, height, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
exif = Image.Exif()
exif[0x0112] = 6  # taken holding the phone upright: turning it costs a second picture
out = io.BytesIO()
mode = "RGBA" if kind == "PNG" else "RGB"
Image.new(mode, (width, height), "green").save(out, kind, exif=exif.tobytes())
open(path, "wb").write(out.getvalue())
"""

CHECK = """
import gc, json, os, resource, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from naboskap.concerns.photos import clean_photos
translation.activate("en")
with open(sys.argv[1], "rb") as file:
    upload = SimpleUploadedFile("upload", file.read())
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    (photo,) = clean_photos([upload])
    result = {"size": [photo.width, photo.height], "type": photo.content_type}
except ValidationError as error:
    result = {"errors": error.messages}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result["peak_mib"] = (after - before) / 1024  # ru_maxrss is in KiB on Linux
print(json.dumps(result))
"""


def run(code: str, *args) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "naboskap.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPOSITORY,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def check(tmp_path, kind: str, width: int, height: int) -> dict:
    path = tmp_path / f"upload.{kind.lower()}"
    run(MAKE, kind, width, height, path)
    return json.loads(run(CHECK, path).strip().splitlines()[-1]), path.stat().st_size


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_png_decompression_bomb_is_refused_without_decoding_it(tmp_path):
    # 7000 × 7000 px in a few hundred kB: decoding it used to cost a worker ~730 MB.
    result, size = check(tmp_path, "PNG", 7000, 7000)
    assert size < 1_000_000
    assert result["errors"] == [
        "“upload” has too many pixels to be checked. Send the photo as the camera saved it "
        "(JPEG), or a smaller picture."
    ]
    assert result["peak_mib"] < 10


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_48_megapixel_phone_photo_is_decoded_scaled_down_within_the_budget(tmp_path):
    result, _size = check(tmp_path, "JPEG", 8000, 6000)
    # Decoded at half size by libjpeg (draft mode), turned upright, never whole in memory.
    assert result["size"] == [3000, 4000]
    assert result["type"] == "image/jpeg"
    assert result["peak_mib"] < photos.MEMORY_BUDGET_MIB


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_the_largest_png_accepted_stays_within_the_budget(tmp_path):
    width, height = 4096, 3072
    assert width * height == photos.DECODE_PIXELS
    result, _size = check(tmp_path, "PNG", width, height)
    assert result["size"] == [3072, 4096]  # kept whole, turned upright
    assert result["type"] == "image/png"
    assert result["peak_mib"] < photos.MEMORY_BUDGET_MIB


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_png_just_over_the_budget_is_refused(tmp_path):
    result, _size = check(tmp_path, "PNG", 4096, 3073)
    assert result["errors"][0].startswith("“upload” has too many pixels")
    assert result["peak_mib"] < 10
