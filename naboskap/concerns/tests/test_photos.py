"""Photos on concerns: content-sniffed, stripped of metadata, stored privately, shown to staff."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, PngImagePlugin

from naboskap.concerns import services
from naboskap.concerns.models import Photo
from naboskap.conftest import english
from naboskap.testing.factories import make_concern, make_image, make_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def jpeg_with_gps(size=(80, 40), orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Telefonprodusent"  # Make
    exif[0x0131] = "Kamera-app 1.0"  # Software
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (59.0, 54.0, 43.0)
    gps[3] = "E"
    gps[4] = (10.0, 45.0, 12.0)
    return make_image("JPEG", size=size, exif=exif.tobytes(), comment=b"Lindeveien 4")


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Kari Nordmann")
    info.add_text("Comment", "Tatt fra stuevinduet")
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD)[1] = "N"
    return make_image("PNG", size=(30, 20), pnginfo=info, exif=exif.tobytes())


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(photo) -> Image.Image:
    with photo.image.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


@pytest.fixture(autouse=True)
def _in_english():
    """Messages from the services are compared in English, whatever catalogues are compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def concern(world):
    return make_concern(world.project, reporter_email="nabo@example.org")


def test_a_jpeg_loses_its_exif_gps_and_comment_and_is_turned_upright(concern, settings):
    original = Image.open(io.BytesIO(jpeg_with_gps(orientation=6)))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    (photo,) = services.photos_add(
        concern=concern, files=[upload("IMG_0001.JPG", jpeg_with_gps(orientation=6))]
    )
    image = opened(photo)
    assert image.format == "JPEG"
    assert photo.content_type == "image/jpeg"
    # Orientation 6 (rotated 90°) is applied to the pixels before the EXIF goes.
    assert image.size == (40, 80) == (photo.width, photo.height)
    assert not image.getexif()
    assert not image.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(image.info)
    raw = (settings.PRIVATE_MEDIA_ROOT / photo.image.name).read_bytes()
    assert b"Exif" not in raw and b"Lindeveien" not in raw and b"Telefonprodusent" not in raw
    assert photo.size == len(raw)


def test_a_png_loses_its_text_chunks_and_exif(concern, settings):
    (photo,) = services.photos_add(
        concern=concern, files=[upload("skisse.png", png_with_text(), "image/png")]
    )
    image = opened(photo)
    assert image.format == "PNG" and photo.content_type == "image/png"
    assert not getattr(image, "text", {})
    assert not image.getexif()
    raw = (settings.PRIVATE_MEDIA_ROOT / photo.image.name).read_bytes()
    assert b"Kari" not in raw and b"tEXt" not in raw and b"eXIf" not in raw


def test_files_get_random_names_in_the_private_folder(concern, settings):
    first = make_photo(concern, name="kari-nordmann-lindeveien-4.jpg")
    second = make_photo(concern, name="kari-nordmann-lindeveien-4.jpg")
    assert first.image.name != second.image.name
    for photo in (first, second):
        assert photo.image.name.startswith("concerns/")
        assert "kari" not in photo.image.name
        assert len(photo.image.name) > len("concerns/.jpg") + 30
    assert stored_files(settings) == sorted(
        settings.PRIVATE_MEDIA_ROOT / p.image.name for p in (first, second)
    )
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        first.image.url  # noqa: B018 (no URL: only the staff view sends these files)


def text_renamed() -> tuple[str, bytes, str]:
    return "bilde.jpg", b"Dette er bare tekst, ikke et bilde.\n" * 10, "image/jpeg"


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("anim.gif", make_image("GIF"), "image/gif", "“anim.gif” is not a JPEG or PNG photo."),
        (*text_renamed(), "“bilde.jpg” is not a JPEG or PNG photo."),
        (
            "side.jpg",
            b"<html><script>alert(1)</script></html>",
            "image/jpeg",
            "“side.jpg” is not a JPEG or PNG photo.",
        ),
        (
            "bilde.webp",
            make_image("WEBP"),
            "image/jpeg",
            "“bilde.webp” is not a JPEG or PNG photo.",
        ),
        ("tom.jpg", b"", "image/jpeg", "“tom.jpg” is not a JPEG or PNG photo."),
        (
            "halv.jpg",
            make_image("JPEG", size=(400, 400))[:600],
            "image/jpeg",
            "“halv.jpg” is not a JPEG or PNG photo.",
        ),
    ],
)
def test_what_is_not_a_jpeg_or_png_is_refused(concern, settings, name, data, content_type, message):
    good = upload("god.jpg", make_image())
    with pytest.raises(ValidationError) as error:
        services.photos_add(concern=concern, files=[good, upload(name, data, content_type)])
    assert error.value.messages == [message]
    assert not Photo.objects.exists()
    assert stored_files(settings) == []  # not even the good one: nothing half-way


def test_too_large_and_too_many_are_refused(concern, settings):
    settings.CONCERN_PHOTO_MAX_BYTES = 1024 * 1024
    big = make_image("JPEG") + b"\0" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        services.photos_add(concern=concern, files=[upload("stor.jpg", big)])
    assert error.value.messages == ["“stor.jpg” is larger than 1 MB."]
    settings.CONCERN_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    files = [upload(f"{n}.jpg", make_image()) for n in range(6)]
    with pytest.raises(ValidationError) as error:
        services.photos_add(concern=concern, files=files)
    assert error.value.messages == ["You can attach at most 5 photos."]
    assert not Photo.objects.exists() and stored_files(settings) == []
    services.photos_add(concern=concern, files=files[:4])
    with pytest.raises(ValidationError) as error:
        services.photos_add(concern=concern, files=files[4:])
    assert error.value.messages == ["You can attach at most 5 photos."]
    assert Photo.objects.count() == 4


def test_a_decompression_bomb_is_refused(concern, settings):
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels in a few kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ValidationError) as error:
        services.photos_add(concern=concern, files=[upload("bombe.png", out.getvalue())])
    assert error.value.messages == [
        "“bombe.png” has too many pixels to be checked. Send the photo as the camera saved it "
        "(JPEG), or a smaller picture."
    ]
    assert stored_files(settings) == []


def test_large_photos_are_scaled_down(concern):
    (photo,) = services.photos_add(
        concern=concern, files=[upload("stor.jpg", make_image(size=(5000, 1000)))]
    )
    assert (photo.width, photo.height) == (4096, 819)


# The staff view --------------------------------------------------------------------------


def test_staff_see_the_photo_with_private_headers(world, concern, persona_clients):
    photo = make_photo(concern)
    url = reverse("concerns:photo", args=[concern.pk, photo.pk])
    assert url == f"/app/meldinger/{concern.pk}/bilder/{photo.pk}/"
    response = persona_clients["coordinator"].get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    with photo.image.open("rb") as file:
        assert b"".join(response.streaming_content) == file.read()
    assert persona_clients["outsider"].get(url).status_code == 404
    assert persona_clients["case_handler"].get(url).status_code == 404
    anonymous = persona_clients["anonymous"].get(url)
    assert anonymous.status_code == 302 and "/media/" not in anonymous["Location"]


def test_a_photo_is_only_reached_through_its_own_concern(world, concern, persona_clients):
    other = make_concern(world.project)
    photo = make_photo(other)
    client = persona_clients["coordinator"]
    assert client.get(reverse("concerns:photo", args=[concern.pk, photo.pk])).status_code == 404
    assert client.get(reverse("concerns:photo", args=[other.pk, photo.pk])).status_code == 200
    assert client.get(reverse("concerns:photo", args=[other.pk, photo.pk + 99])).status_code == 404


def test_the_case_page_shows_the_photos(world, concern, persona_clients, settings):
    photos = [make_photo(concern), make_photo(concern, data=make_image("PNG"))]
    client = english(world.users["coordinator"])
    body = client.get(concern.get_absolute_url()).content.decode()
    for photo in photos:
        assert f'src="{photo.get_absolute_url()}"' in body
    assert 'alt="Photo 1 of 2 attached to the concern"' in body
    assert 'alt="Photo 2 of 2 attached to the concern"' in body
    plain = make_concern(world.project)
    assert "photos-heading" not in client.get(plain.get_absolute_url()).content.decode()


def test_the_reporter_does_not_see_photos_on_the_follow_up_page(concern, client):
    photo = make_photo(concern)
    body = client.get(concern.get_follow_up_url()).content.decode()
    assert photo.get_absolute_url() not in body and "<img" not in body
