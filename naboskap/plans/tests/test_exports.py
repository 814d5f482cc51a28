"""The plan as PDF ("Tiltaks- og samhandlingsplan", PDF/A-2b, tagged) and as XLSX."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from naboskap.conftest import english
from naboskap.lib.pdf import render_pdf
from naboskap.plans.models import Participation
from naboskap.tenancy.models import Unit
from naboskap.testing.documents import fetch_document
from naboskap.testing.factories import make_concern, make_measure


@pytest.fixture
def plan(world):
    eiendom = Unit.objects.get(municipality=world.municipality, name="Eiendom")
    make_measure(
        world.project,
        title="Fast kontaktperson for naboene",
        owner_unit_name="Helse og sosial",
        participations={eiendom: Participation.Part.ACCOUNTABLE},
        responsible=world.users["coordinator"],
    )
    make_measure(
        world.project,
        title="Svar på støyklager innen en uke",
        concern=make_concern(world.project),
        owner_unit_name="Eiendom",
        due_date=timezone.localdate() - timedelta(days=3),
    )
    make_measure(world.project, title='=HYPERLINK("http://x")', owner_unit_name="Eiendom")


def test_plan_pdf_is_pdfa_tagged_and_reads_as_the_plan(world, plan):
    response = fetch_document(
        english(world.users["politician"]), reverse("plans:plan_pdf", args=[world.project.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="tiltaksplan-lindeveien.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert response.content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in reader.pages)
    # In bokmål the title reads "Tiltaks- og samhandlingsplan" (from the catalogue).
    assert "Action and collaboration plan – Lindeveien" in text
    assert "Fast kontaktperson for naboene" in text
    assert "Svar på støyklager innen en uke" in text
    assert "Eiendom (A)" in text
    assert reader.metadata.title == "Action and collaboration plan – Lindeveien"
    assert reader.metadata.author == "Fjordby kommune"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all(name.endswith(("+Inter", "+Inter-Semi-Bold")) for name in fonts), fonts


def test_plan_xlsx_has_a_row_per_measure(world, plan):
    response = english(world.users["politician"]).get(
        reverse("plans:plan_xlsx", args=[world.project.pk]), {"group": "unit"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Action and collaboration plan", "Lindeveien"]
    header = rows[3]
    assert header[:5] == ["Group", "Measure", "Description (internal)", "Source", "Owner unit"]
    by_title = {row[1]: dict(zip(header, row, strict=True)) for row in rows[4:]}
    first = by_title["Fast kontaktperson for naboene"]
    assert first["Group"] == "Helse og sosial"
    assert first["Participating units"] == "Eiendom: Accountable"
    assert first["Status"] == "Planned"
    assert first["Overdue"] in ("", None)
    late = by_title["Svar på støyklager innen en uke"]
    assert late["Overdue"] == "Yes"
    assert late["Source"].startswith("Concern: ")
    assert late["Due date"].date() == timezone.localdate() - timedelta(days=3)
    # A title that looks like a formula stays text.
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


def test_pdf_helper_fetches_static_files_only(tmp_path, settings):
    """A link to anywhere else is refused; the document still renders."""
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "probe.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}Probe{% endblock %}'
        '{% block content %}<h1>Probe</h1><img src="http://127.0.0.1:9/x.png" alt="x">'
        '<img src="file:///etc/hostname" alt="y">{% endblock %}'
    )
    template_settings = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**template_settings, "DIRS": [tmp_path, *template_settings["DIRS"]]}]
    from naboskap.lib.pdf import _fetcher_class

    fetcher = _fetcher_class()()
    for url in [
        "http://127.0.0.1:9/x.png",
        "file:///etc/hostname",
        "https://pdf.naboskap.invalid/static/../../etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    css = fetcher.fetch("https://pdf.naboskap.invalid/static/naboskap/pdf.css")
    assert b"@font-face" in css.read()
    content = render_pdf("pdf/probe.html", {})
    assert "Probe" in PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_plan_xlsx_title_with_a_formula_like_project_name_stays_text(world, plan):
    world.project.name = '=HYPERLINK("x")'
    world.project.save()
    response = english(world.users["coordinator"]).get(
        reverse("plans:plan_xlsx", args=[world.project.pk])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Action and collaboration plan"
    title = sheet["B1"]
    assert title.value == '=HYPERLINK("x")'
    assert title.data_type == "s" and title.quotePrefix
    assert sheet["B2"].is_date  # the printed date stays a date
