"""`naboskap.lib.pdf` makes the same PDF as WeasyPrint would, for less: its user-agent
stylesheet, its finisher and its fixes of pydyf and tinyhtml5 change no byte of a document."""

import io
import re
from xml.etree import ElementTree

import pydyf
import tinyhtml5
from pypdf import PdfReader
from weasyprint import HTML

from naboskap.lib import pdf

# Lists (markers), headings (bookmarks), a table with a header repeated on each page, line
# breaks, a link: what the documents use, over enough pages for the tags to refer to several.
DOCUMENT = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Prøve</title>
<link rel="stylesheet" href="/static/naboskap/pdf.css"></head>
<body><h1>Prøve &amp; «test»</h1>
<ul><li>Én</li><li>To<ol><li>Tre</li></ol></li></ul>
<dl><dt>Status</dt><dd>Utkast</dd></dl><!-- a comment -->
<p class=meta title='«x»'>Tekst &amp; mer</p>
{sections}
</body></html>"""
SECTION = """<section><h2 id="s{n}">Del {n}</h2><p>Avsnitt {n}<br><strong>Sterk</strong>
<a href="#s1">lenke</a></p><table><caption>Tabell {n}</caption>
<thead><tr><th scope="col">Nr.</th><th scope="col">Tekst</th></tr></thead>
<tbody>{rows}</tbody></table></section>"""


def document_html() -> str:
    rows = "".join(f"<tr><td>{n}</td><td>Rad nummer {n} i tabellen</td></tr>" for n in range(12))
    sections = "".join(SECTION.format(n=n, rows=rows) for n in range(8))
    return DOCUMENT.format(sections=sections)


def weasyprint_pdf(html_class, **options) -> bytes:
    document = html_class(
        string=document_html(), base_url=pdf.BASE_URL, url_fetcher=pdf._fetcher_class()()
    )
    return document.write_pdf(
        pdf_variant=pdf.PDF_VARIANT, pdf_tags=True, font_config=pdf._font_config(), **options
    )


def test_the_pdf_is_byte_for_byte_what_weasyprint_makes():
    ours = weasyprint_pdf(pdf._html_class(), finisher=pdf._write_each_object_once)
    theirs = weasyprint_pdf(HTML)
    assert ours == theirs
    reader = PdfReader(io.BytesIO(ours))
    assert len(reader.pages) > 2
    assert reader.trailer["/ID"] and "/StructTreeRoot" in reader.trailer["/Root"]
    text = reader.pages[0].extract_text()
    assert text.count("•") == 2 and "1." in text  # the list markers are there


def test_no_pseudo_element_of_every_element_is_styled():
    # A WeasyPrint whose stylesheet reads otherwise fails here, not silently slower.
    matcher = pdf._user_agent_stylesheet().matcher
    universal = [entry for entry in matcher.other_selectors if entry[3]]
    assert universal == []
    assert [entry[3] for entry in matcher.lower_local_name_selectors["li"] if entry[3]] == [
        "marker"
    ]


def test_page_references_follow_the_pages_added():
    pdf._html_class()  # the fixes are made with the first PDF
    document = pydyf.PDF()
    first = pydyf.Dictionary({"Type": "/Page"})
    document.add_page(first)
    assert document.page_references == (first.reference,)
    assert document.page_references is document.page_references
    second = pydyf.Dictionary({"Type": "/Page"})
    document.add_page(second)
    assert document.page_references == (first.reference, second.reference)


def test_html_parses_the_same_with_its_regular_expressions_cached(monkeypatch):
    pdf._html_class()
    html = document_html()
    cached = ElementTree.tostring(tinyhtml5.parse(html, namespace_html_elements=False))
    regexes = tinyhtml5.inputstream.characters_until_regex
    assert regexes and not any(isinstance(characters, re.Pattern) for characters, _ in regexes)
    monkeypatch.setattr(tinyhtml5.inputstream, "characters_until_regex", {})  # tinyhtml5's own
    assert ElementTree.tostring(tinyhtml5.parse(html, namespace_html_elements=False)) == cached
