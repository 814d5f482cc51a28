"""The ROS report: the page, the PDF (PDF/A-2b, tagged, fonts embedded) read back with pypdf,
the events as XLSX and CSV read back, and the cost of the page with more events."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for
from naboskap.risk import services
from naboskap.risk.models import Participant, UnwantedEvent
from naboskap.risk.tests.factories import AFTER, fill_full_analysis, make_analysis, score
from naboskap.testing.documents import fetch_document
from naboskap.testing.factories import make_concern

LEVELS = {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 1}

SECTIONS = [
    "Summary",
    "Purpose and scope",
    "Method and participants",
    "The area",
    "Risk criteria",
    "Identified unwanted events",
    "Analysis of each event",
    "Risk picture before and after measures",
    "Uncertainty",
    "Measures and improvement areas",
    "Residual risk and acceptance",
    "Follow-up and revision",
]


@pytest.fixture
def analysis(world):
    coordinator = world.users["coordinator"]
    analysis = make_analysis(
        world.project,
        by=coordinator,
        title="ROS Lindeveien",
        method="Dialogmøte med naboene.",
        area_description="Kvartalet rundt Lindeveien 12.",
        participants=[
            {"name": "Kari Nordmann", "represents": "Velforeningen", "kind": "person"},
            {"name": "3 naboer fra borettslaget", "represents": "", "kind": "group"},
        ],
    )
    noise = services.event_create(
        analysis=analysis,
        title="Støy om natta",
        scenario="Fest i fellesarealet til langt på natt.",
        causes="Utleie av lokalet\nIngen husordensregler",
        existing_barriers="Vaktmester på dagtid",
        vulnerability="Barnefamilier i første etasje.",
        knock_on_effects="Naboer sover dårlig",
    )
    score(
        noise,
        4,
        {"liv_helse": 1, "trygghet": 4, "materielle": 1, "tillit": 2},
        knowledge=UnwantedEvent.Knowledge.WEAK,
        sensitivity_note="Avhenger av hvor ofte lokalet leies ut.",
        acceptance=UnwantedEvent.Acceptance.NOT_ACCEPTED,
        acceptance_reason="Rødt før tiltak.",
    )
    score(noise, 2, {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 1}, stage=AFTER)
    services.event_measure_add(
        event=noise,
        created_by=None,
        title="Husordensregler for utleie",
        kind="probability",
        owner_unit=world.project.responsible_unit,
    )
    # A title that a spreadsheet would read as a formula.
    services.event_create(analysis=analysis, title='=HYPERLINK("http://x";"klikk")')
    services.event_create(analysis=analysis, title="+47 ringer om natta")
    return analysis


def url(name, analysis):
    return reverse(name, args=[analysis.project_id, analysis.pk])


def test_report_page_has_every_section_of_a_ros_report(world, analysis, en):
    response = en["politician"].get(url("risk:report", analysis))
    assert response.status_code == 200
    html = response.content.decode()
    headings = re.findall(r"<h2[^>]*>(?:\d+\. )?([^<]+)</h2>", html)
    assert headings == ["Contents", *SECTIONS]
    assert "Kari Nordmann – Velforeningen" in html
    assert "3 naboer fra borettslaget" in html
    assert "Husordensregler for utleie" in html
    assert "Avhenger av hvor ofte lokalet leies ut." in html
    assert 'id="hendelse-1"' in html and 'href="#hendelse-1"' in html
    # The criteria: level definitions, the matrix with its colours, acceptance criteria.
    assert "Ukentlig eller oftere" in html
    # Overall and 5 dimensions, before and after (in the page itself: the header has an icon).
    assert html.split("<main", 1)[1].count("<svg") == 12
    for name in ("risk:report_pdf", "risk:events_xlsx", "risk:events_csv"):
        assert f'href="{url(name, analysis)}"' in html


def test_report_shows_the_settled_spread_and_events_to_reassess(world, analysis, en):
    """Uncertainty: the spread of the scores the meeting settled on, with the agreement it
    shows. Follow-up: concerns linked to an event over 12 months against its assessed
    probability; an event observed more often than assessed is named in the summary too."""
    noise = analysis.events.get(title="Støy om natta")
    UnwantedEvent.objects.filter(pk=noise.pk).update(
        settled_spread={"round": "K7Q2", "votes": 4, "probability": {"3": 2, "4": 2}}
    )
    rare = score(services.event_create(analysis=analysis, title="Tagging på garasjen"), 1, LEVELS)
    for event in (rare, noise):  # one concern each: observed level 2 ("once in 1–10 years")
        concern = make_concern(world.project)
        Concern.objects.filter(pk=concern.pk).update(unwanted_event=event)
    html = en["politician"].get(url("risk:report", analysis)).content.decode()
    agreement = html[html.index('id="ros-agreement-caption"') :]
    assert re.search(
        r">Støy om natta</th><td>4</td><td>Probability 3–4 \(3\.5\)</td><td>Strong<", agreement
    )
    summary = html[html.index('id="ros-summary"') : html.index('id="ros-purpose"')]
    assert "to be re-assessed" in summary and "Tagging på garasjen" in summary
    assert "Støy om natta" not in summary.split("to be re-assessed")[1]
    observed = html[html.index('id="ros-observed-caption"') :]
    row = r'<tr><td>\d+</td><th scope="row">([^<]+)</th><td>(\d+)</td>(?:<td>[^<]*</td>){2}'
    rows = re.findall(row + r"<td>(?:<strong>)?(Yes|No)<", observed)
    assert rows[:2] == [("Tagging på garasjen", "1", "Yes"), ("Støy om natta", "1", "No")]


def test_report_without_linked_concerns_says_so(world, analysis, en):
    html = en["politician"].get(url("risk:report", analysis)).content.decode()
    assert "No concerns were linked to these events in the last 12 months." in html
    assert 'id="ros-agreement-caption"' not in html


def test_analysis_page_links_to_the_report(world, analysis, en):
    html = en["politician"].get(analysis.get_absolute_url()).content.decode()
    assert f'href="{url("risk:report", analysis)}"' in html


def test_report_pdf_is_pdfa_tagged_with_embedded_fonts(world, analysis, en):
    response = fetch_document(en["politician"], url("risk:report_pdf", analysis))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="ros-rapport-lindeveien-revisjon-1.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Risk and vulnerability analysis: ROS Lindeveien" in text
    assert "Støy om natta" in text and "Husordensregler for utleie" in text
    assert reader.metadata.title == "Risk and vulnerability analysis – ROS Lindeveien"
    assert reader.metadata.author == "Fjordby kommune"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or (font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            )
            fonts[font["/BaseFont"]] = descriptor.get_object()
    names = list(fonts)
    assert names and all(name.endswith(("+Inter", "+Inter-Semi-Bold")) for name in names), names
    assert all({"/FontFile", "/FontFile2", "/FontFile3"} & set(d) for d in fonts.values())

    # Bookmarks follow the headings, so a reader can jump to each section.
    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [item.title]

    assert "1. Summary" in set(titles(reader.outline))


def test_report_pdf_is_in_the_readers_language(world, analysis):
    client = client_for(world.users["coordinator"])  # bokmål, the default
    response = fetch_document(client, url("risk:report_pdf", analysis))
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "nb"


def rows_of(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_events_xlsx_has_a_row_per_event_and_no_formulas(world, analysis, en):
    response = en["politician"].get(url("risk:events_xlsx", analysis))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "ros-hendelser-lindeveien-revisjon-1.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = rows_of(sheet)
    assert rows[0][:2] == ["Risk and vulnerability analysis", "ROS Lindeveien"]
    header = rows[4]
    assert header[:3] == ["No.", "Unwanted event", "Probability before measures"]
    events = [dict(zip(header, row, strict=True)) for row in rows[5:]]
    assert [e["No."] for e in events] == [1, 2, 3]
    noise = events[0]
    assert noise["Trygghet og stabilitet: consequence before measures"] == 4
    assert noise["Trygghet og stabilitet: risk before measures"] == "Red"
    assert noise["Probability after measures"] == 2
    assert noise["Overall risk before measures"] == "Red"
    assert noise["Overall risk after measures"] == "Green"
    assert noise["Strength of knowledge"] == "Weak"
    assert noise["Measures"] == 1
    assert noise["Acceptance"] == "Not accepted"
    assert events[1]["Overall risk before measures"] in ("", None)
    # Text that looks like a formula is text, marked so that Excel never evaluates it.
    for row in sheet.iter_rows(min_row=6):
        title = row[1]
        assert title.data_type == "s"
        if title.value.startswith(("=", "+")):
            assert title.quotePrefix
    assert events[1]["Unwanted event"] == '=HYPERLINK("http://x";"klikk")'


def test_events_csv_is_excel_friendly_and_defuses_formulas(world, analysis, en):
    response = en["politician"].get(url("risk:events_csv", analysis))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "ros-hendelser-lindeveien-revisjon-1.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel reads UTF-8 by
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, *events = rows
    assert header[:2] == ["No.", "Unwanted event"]
    assert len(events) == 3 and all(len(row) == len(header) for row in events)
    noise = dict(zip(header, events[0], strict=True))
    assert noise["Unwanted event"] == "Støy om natta"
    assert noise["Overall risk before measures"] == "Red"
    assert noise["Measures"] == "1"
    assert events[1][1] == '\'=HYPERLINK("http://x";"klikk")'
    assert events[2][1] == "'+47 ringer om natta"


def test_participants_are_shown_as_entered(world, analysis, en):
    """Named people by name, groups as the group: nothing else about anyone."""
    Participant.objects.filter(analysis=analysis, kind="person").delete()
    html = en["coordinator"].get(url("risk:report", analysis)).content.decode()
    assert "Kari Nordmann" not in html
    assert "3 naboer fra borettslaget" in html


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_report_queries_are_the_same_with_10_and_50_events(
    world, en, django_assert_max_num_queries
):
    client = en["coordinator"]
    analysis = make_analysis(world.project)
    fill_full_analysis(analysis, 10)
    address = url("risk:report", analysis)
    client.get(address)  # the session and caches are warm
    small = count_queries(client, address)
    fill_full_analysis(analysis, 40)
    with django_assert_max_num_queries(small):
        response = client.get(address)
    html = response.content.decode()
    assert "Hendelse nummer 50" in html and "Bedre belysning for hendelse 50" in html
    assert small <= 20
    for name in ("risk:events_xlsx", "risk:events_csv"):
        with django_assert_max_num_queries(small):
            assert client.get(url(name, analysis)).status_code == 200


def test_report_of_an_empty_analysis(world, en):
    analysis = make_analysis(world.project)
    html = en["coordinator"].get(url("risk:report", analysis)).content.decode()
    assert "No unwanted events yet." in html
    response = en["coordinator"].get(url("risk:events_csv", analysis))
    assert len(response.content.decode("utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize("text", ["=1+2", "+47 999", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_defused(text):
    from openpyxl import Workbook

    from naboskap.lib.spreadsheets import append_row, csv_bytes

    rows = list(
        csv.reader(io.StringIO(csv_bytes([[text, -3, None]]).decode("utf-8-sig")), delimiter=";")
    )
    assert rows == [["'" + text, "-3", ""]]
    sheet = Workbook().active
    append_row(sheet, [text, -3])
    cell, number = sheet[1]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix
    assert number.value == -3 and number.data_type == "n"  # numbers stay numbers
