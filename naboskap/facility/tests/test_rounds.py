"""Rounds: start, observe, "all calm", end; photos stripped of metadata; bad input."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from naboskap.conftest import client_for, english
from naboskap.facility import services
from naboskap.facility.models import Observation, Round
from naboskap.testing.factories import ProjectFactory, make_image

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Telefonprodusent"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (59.0, 54.0, 43.0)
    return make_image("JPEG", size=(80, 40), exif=exif.tobytes(), comment=b"Lindeveien 4")


def start(client, project) -> Round:
    response = client.post(reverse("facility:round_start", args=[project.pk]))
    assert response.status_code == 302
    return Round.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_caretaker_walks_a_round_from_start_to_end(world, caretaker):
    client = english(caretaker)
    page = client.get(reverse("facility:my_rounds"))
    assert "Lindeveien" in page.content.decode()
    page = client.get(reverse("facility:round_list", args=[world.project.pk]))
    assert "Start a round" in page.content.decode()

    found = start(client, world.project)
    assert found.started_by == caretaker and found.is_open
    # A double tap on "Start" carries on with the same round.
    assert start(client, world.project) == found
    assert Round.objects.count() == 1

    url = reverse("facility:observation_create", args=[world.project.pk, found.pk])
    response = client.post(
        url, {"category": "litter", "place": "Lekeplassen", "text": "Sprøyte i sandkassa."}
    )
    assert response.status_code == 302
    calm = reverse("facility:round_all_calm", args=[world.project.pk, found.pk])
    assert client.post(calm, {"place": "Parkeringsplassen"}).status_code == 302

    page = client.get(found.get_absolute_url()).content.decode()
    assert "Sprøyte i sandkassa." in page
    assert "All calm" in page and "Parkeringsplassen" in page

    end = reverse("facility:round_end", args=[world.project.pk, found.pk])
    response = client.post(end, {"note": "Rolig kveld."})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.ended_at is not None and found.ended_by == caretaker
    assert found.note == "Rolig kveld."
    observations = Observation.objects.filter(round=found).order_by("pk")
    assert [(o.category, o.all_calm) for o in observations] == [("litter", False), ("", True)]
    assert all(o.project == world.project and o.created_by == caretaker for o in observations)

    listing = client.get(reverse("facility:round_list", args=[world.project.pk])).content.decode()
    assert "1 observation" in listing and "1 “all calm”" in listing


def test_ending_a_round_twice_says_so(world, caretaker):
    client = english(caretaker)
    found = start(client, world.project)
    end = reverse("facility:round_end", args=[world.project.pk, found.pk])
    assert client.post(end).status_code == 302
    ended_at = Round.objects.get(pk=found.pk).ended_at
    response = client.post(end, {"note": "Igjen"})
    assert response.status_code == 400
    assert "This round has already ended." in response.content.decode()
    found.refresh_from_db()
    assert found.ended_at == ended_at and found.note == ""


def test_an_observation_on_an_ended_round_is_refused_and_the_text_kept(world, caretaker):
    client = english(caretaker)
    found = start(client, world.project)
    services.round_end(round=found, by=caretaker)
    url = reverse("facility:observation_create", args=[world.project.pk, found.pk])
    response = client.post(url, {"category": "noise", "text": "Høy musikk fra blokk B."})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This round has ended. Start a new round" in content
    assert "Høy musikk fra blokk B." in content
    calm = reverse("facility:round_all_calm", args=[world.project.pk, found.pk])
    assert client.post(calm).status_code == 400
    assert not Observation.objects.exists()
    # The form itself sends the caretaker back to the ended round.
    assert client.get(url).status_code == 302


def test_the_stored_photo_has_no_exif_or_gps(world, caretaker):
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    client = english(caretaker)
    found = start(client, world.project)
    url = reverse("facility:observation_create", args=[world.project.pk, found.pk])
    upload = SimpleUploadedFile("IMG_0001.JPG", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        url, {"category": "damage", "text": "Knust rute i porten.", "photo": upload}
    )
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.photo.name.startswith("facility/")
    assert "IMG_0001" not in observation.photo.name
    with observation.photo.open("rb") as stored:
        data = stored.read()
    stored_image = Image.open(io.BytesIO(data))
    assert stored_image.format == "JPEG"
    assert not stored_image.getexif()
    assert "comment" not in stored_image.info and b"Lindeveien 4" not in data
    # Served to those who may see it, never cached; not to an outsider.
    photo_url = reverse("facility:observation_photo", args=[world.project.pk, observation.pk])
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == data
    assert client_for(world.users["outsider"]).get(photo_url).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_the_text_kept(world, caretaker):
    client = english(caretaker)
    found = start(client, world.project)
    url = reverse("facility:observation_create", args=[world.project.pk, found.pk])
    upload = SimpleUploadedFile("notat.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(url, {"category": "litter", "text": "Søppel ved bua.", "photo": upload})
    assert response.status_code == 400
    content = response.content.decode()
    assert "is not a JPEG or PNG photo" in content
    assert "Your text is kept" in content and "Søppel ved bua." in content
    assert not Observation.objects.exists()


def test_a_photo_that_is_too_large_is_refused(world, caretaker, settings):
    settings.CONCERN_PHOTO_MAX_BYTES = 500
    client = english(caretaker)
    found = start(client, world.project)
    url = reverse("facility:observation_create", args=[world.project.pk, found.pk])
    big = make_image("PNG", size=(200, 200), color=(1, 2, 3))
    big += b"\0" * 1000
    upload = SimpleUploadedFile("stor.png", big, content_type="image/png")
    response = client.post(url, {"category": "litter", "text": "Søppel ved bua.", "photo": upload})
    assert response.status_code == 400
    assert "is larger than" in response.content.decode()
    assert not Observation.objects.exists()


def test_an_empty_observation_names_what_is_missing(world, caretaker):
    client = english(caretaker)
    found = start(client, world.project)
    url = reverse("facility:observation_create", args=[world.project.pk, found.pk])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_caretaker_reaches_only_their_own_project(world, caretaker):
    neighbour_project = ProjectFactory(municipality=world.municipality, name="Solbakken")
    client = client_for(caretaker)
    assert client.get(reverse("facility:round_list", args=[world.project.pk])).status_code == 200
    other = reverse("facility:round_list", args=[neighbour_project.pk])
    assert client.get(other).status_code == 404
    foreign = reverse("facility:round_list", args=[world.other_project.pk])
    assert client.get(foreign).status_code == 404
    assert (
        client.post(reverse("facility:round_start", args=[neighbour_project.pk])).status_code == 404
    )
    # Another municipality's coordinator cannot open this project's rounds either.
    found = services.round_start(project=world.project, by=caretaker)[0]
    outsider = client_for(world.users["outsider"])
    assert outsider.get(found.get_absolute_url()).status_code == 404
    # A round of another project is not reachable through this project's address.
    theirs = services.round_start(project=world.other_project, by=world.users["outsider"])[0]
    mixed = reverse("facility:round_detail", args=[world.project.pk, theirs.pk])
    assert client.get(mixed).status_code == 404


@pytest.mark.parametrize("persona", ["police", "politician", "case_handler"])
def test_roles_without_rounds_are_refused(world, persona):
    client = client_for(world.users[persona])
    assert client.get(reverse("facility:round_list", args=[world.project.pk])).status_code == 403
    assert client.get(reverse("facility:my_rounds")).status_code == 403
