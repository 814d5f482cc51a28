"""The documents journalled in the archive: PDF/A-2b, with what was written and no more."""

import base64
import io
from datetime import datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from naboskap.archive.pdfs import concern_pdf, message_pdf, photo_pdf
from naboskap.concerns import services
from naboskap.concerns.models import Concern, Message
from naboskap.concerns.photos import CleanPhoto
from naboskap.lib.pdf import JPEG_DATA_URI, PNG_DATA_URI, _fetcher_class
from naboskap.testing.factories import make_concern, make_image, make_photo

pytestmark = pytest.mark.django_db

PDFA_ID = "http://www.aiim.org/pdfa/ns/id/"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def concern(world):
    return make_concern(
        world.project,
        description="Høy musikk fra hagen.\nIgjen etter midnatt.",
        location="Lindeveien 4",
        occurred_at=timezone.make_aware(datetime(2026, 3, 2, 23, 40)),
        reporter_name="Kari Nabo",
        reporter_email="kari@example.org",
        reporter_phone="+4791234567",
        reporter_address="Lindeveien 6\n0123 Fjordby",
        intake_channel=Concern.IntakeChannel.LETTER,
    )


@pytest.fixture
def handler(world):
    user = world.users["case_handler"]
    user.first_name, user.last_name = "Siri", "Saksbehandler"
    user.save(update_fields=["first_name", "last_name"])
    return user


def read(content: bytes) -> tuple[PdfReader, str]:
    """The document and its text (lines joined with spaces, as a reader finds a phrase)."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return reader, text


def assert_pdfa(reader: PdfReader):
    """PDF/A-2b, as its XMP metadata declares (the stream is compressed: read, not grepped)."""
    nodes = reader.xmp_metadata.get_nodes_in_namespace("", PDFA_ID)
    assert {node.localName: node.nodeValue for node in nodes} == {"part": "2", "conformance": "B"}


def test_the_concern_shows_what_the_reporter_wrote_and_the_contact_details_when_asked(concern):
    reader, text = read(concern_pdf(concern, with_contact=True))
    assert_pdfa(reader)
    assert f"Concern {concern.reference}" in text
    assert "Fjordby kommune" in text
    assert "Lindeveien" in text  # the project
    assert concern.category.label in text
    assert "Høy musikk fra hagen. Igjen etter midnatt." in text
    assert "Lindeveien 4" in text
    assert "2. March 2026, 23:40" in text
    assert "Letter" in text  # how it came in
    assert "Kari Nabo" in text
    assert "kari@example.org" in text
    assert "91 23 45 67" in text
    assert "0123 Fjordby" in text
    assert "not included" not in text


def test_the_concern_without_contact_leaves_the_reporter_out(concern):
    _reader, text = read(concern_pdf(concern, with_contact=False))
    assert concern.reference in text
    assert "Høy musikk fra hagen." in text
    assert "The reporter's contact details are not included." in text
    for detail in ["Kari Nabo", "kari@example.org", "91 23 45 67", "0123 Fjordby"]:
        assert detail not in text


def test_erased_contact_details_are_never_shown(concern):
    concern.contact_erased_at = timezone.now()  # even were the fields still filled in
    concern.project = None
    _reader, text = read(concern_pdf(concern, with_contact=True))
    assert "The area in general" in text
    assert "have been deleted" in text
    for detail in ["Kari Nabo", "kari@example.org", "91 23 45 67", "0123 Fjordby"]:
        assert detail not in text


def test_an_answer_is_a_letter_from_the_unit_signed_by_its_author(world, concern, handler):
    message = services.message_send(
        concern=concern, body="Vi har snakket med entreprenøren.\nDet blir stille.", author=handler
    )
    reader, text = read(message_pdf(message))
    assert_pdfa(reader)
    assert f"Answer to concern {concern.reference}" in text
    assert "Vi har snakket med entreprenøren. Det blir stille." in text
    assert "Siri Saksbehandler" in text
    assert "Fjordby kommune" in text
    assert concern.assigned_unit.name in text
    assert "kari@example.org" not in text
    assert "Kari Nabo" not in text


def test_an_internal_note_names_its_author(concern, handler):
    note = services.note_add(concern=concern, body="Ringte naboen.", author=handler)
    _reader, text = read(message_pdf(note))
    assert f"Internal note on concern {concern.reference}" in text
    assert "Ringte naboen." in text
    assert "Siri Saksbehandler" in text


def test_a_message_from_the_reporter_says_so(concern):
    message = Message.objects.create(
        concern=concern, kind=Message.Kind.FROM_REPORTER, body="Det er fortsatt bråk."
    )
    _reader, text = read(message_pdf(message))
    assert f"Message from the reporter on concern {concern.reference}" in text
    assert "Det er fortsatt bråk." in text


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photo_is_one_page_with_its_number(concern, fmt):
    make_photo(concern)
    photo = make_photo(concern, data=make_image(fmt, size=(300, 400)))
    assert photo.content_type == f"image/{fmt.lower()}"
    reader, text = read(photo_pdf(photo))
    assert_pdfa(reader)
    assert len(reader.pages) == 1
    assert f"Photo 2 attached to concern {concern.reference}" in text
    assert f"Attached {date_format(timezone.localtime(photo.created_at), 'j. F Y, H:i')}" in text
    assert list(reader.pages[0].images)  # the photo itself


def test_a_webp_photo_is_converted_to_png(concern):
    data = make_image("WEBP", size=(120, 80))
    (photo,) = services.photos_store(
        concern=concern,
        photos=[CleanPhoto(data=data, content_type="image/webp", width=120, height=80)],
    )
    reader, text = read(photo_pdf(photo, number=3))  # the caller knows: nothing counted
    assert len(reader.pages) == 1
    assert f"Photo 3 attached to concern {concern.reference}" in text
    assert list(reader.pages[0].images)


def test_the_pdf_fetcher_decodes_png_and_jpeg_data_uris_only():
    fetcher = _fetcher_class()()
    for prefix, fmt in [(JPEG_DATA_URI, "JPEG"), (PNG_DATA_URI, "PNG")]:
        image = make_image(fmt)
        response = fetcher.fetch(prefix + base64.b64encode(image).decode())
        assert response.headers["Content-Type"] == f"image/{fmt.lower()}"
        assert response.read() == image
    for refused in ["data:image/svg+xml;base64,PHN2Zy8+", "data:text/html,<p>x</p>"]:
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
