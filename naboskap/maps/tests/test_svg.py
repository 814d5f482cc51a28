"""The map drawn for PDFs: true to scale, escaped, and with the base map's tiles under it
when a tile server answers (a real one, on this machine), plain when none does."""

import pytest

from naboskap.conftest import closed_port
from naboskap.maps.layers import circle, point
from naboskap.maps.svg import map_svg
from naboskap.testing.documents import fetch_document
from naboskap.testing.factories import make_image
from naboskap.testing.servers import QuietHandler, local_server

SITE = (69.65, 18.95)
SHAPES = [circle(*SITE, 200), point(*SITE, label="Tomta"), point(69.651, 18.953, label="<Skole>")]


@pytest.fixture
def tile_server():
    """A tile server on a free port that answers every tile with one small PNG, and counts."""
    png = make_image("PNG", size=(256, 256), color=(220, 230, 220))
    asked = []

    class Tiles(QuietHandler):
        def do_GET(self):
            asked.append(self.path)
            self.answer(png, "image/png")

    with local_server(Tiles) as base:
        yield f"{base}/{{z}}/{{y}}/{{x}}.png", asked


def test_without_a_tile_server_the_drawing_is_plain_and_escaped(settings):
    settings.MAP_TILE_URL = ""
    drawing = str(map_svg(SHAPES, title="Kart"))
    assert drawing.startswith("<svg") and "<title>Kart</title>" in drawing
    assert "&lt;Skole&gt;" in drawing and "<Skole>" not in drawing
    assert "<image" not in drawing
    assert ">200 m</text>" in drawing  # the scale bar, in true metres


def test_the_circle_and_the_scale_bar_agree(settings):
    settings.MAP_TILE_URL = ""
    drawing = str(map_svg([circle(*SITE, 200), point(*SITE)], title="Kart"))
    radius = float(drawing.split('r="', 1)[1].split('"', 1)[0])
    bar = float(drawing.split('<path d="M16 404 h', 1)[1].split('"', 1)[0])
    assert ">200 m</text>" in drawing
    assert bar == pytest.approx(radius, rel=0.01)  # a 200 m bar is the circle's radius


def test_the_base_map_lies_under_the_shapes_when_its_server_answers(settings, tile_server):
    url, asked = tile_server
    settings.MAP_TILE_URL = url
    settings.MAP_TILE_ATTRIBUTION = "© Kartverket"
    drawing = str(map_svg(SHAPES, title="Kart"))
    assert 1 <= len(asked) <= 24
    assert drawing.count("<image") == len(asked)
    assert drawing.index("<image") < drawing.index("<circle")  # under the shapes
    assert "© Kartverket" in drawing


def test_an_unreachable_tile_server_gives_the_plain_drawing(settings):
    settings.MAP_TILE_URL = f"http://127.0.0.1:{closed_port()}/{{z}}/{{x}}/{{y}}.png"
    drawing = str(map_svg(SHAPES, title="Kart"))
    assert drawing.startswith("<svg") and "<image" not in drawing
    assert "Tomta" in drawing


def test_the_place_analysis_pdf_carries_the_base_map(world, settings, tile_server):
    import io
    from decimal import Decimal

    from django.urls import reverse
    from pypdf import PdfReader

    from naboskap.conftest import english
    from naboskap.stakeholders.places import services

    url, asked = tile_server
    settings.MAP_TILE_URL = url
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    services.place_item_add(
        project=project,
        by=world.users["coordinator"],
        item="site",
        kind="school",
        name="Fjordby skole",
        latitude=69.651,
        longitude=18.951,
        note="",
    )

    def images_in_pdf() -> int:
        response = fetch_document(
            english(world.users["coordinator"]),
            reverse("stakeholders:place_pdf", args=[project.pk, 1]),
        )
        assert response.status_code == 200
        pages = PdfReader(io.BytesIO(response.content)).pages
        return sum(len(page.images) for page in pages)

    with_base_map = images_in_pdf()
    settings.MAP_TILE_URL = ""
    without = images_in_pdf()
    assert asked and with_base_map > without  # the tiles are in it (one image, repeated)
