"""PDF documents from templates with WeasyPrint: PDF/A-2b, tagged, offline.

A template links its stylesheet, fonts and images with `{% static %}` as a web page does;
`render_pdf` resolves those from the static files and fetches nothing else, so rendering
never touches the network (and a link in user content cannot make the server fetch it).
An image held in memory goes in as a PNG or JPEG data URI (`DATA_URIS`).
Include `pdf/base.css` (via `pdf/base.html`) for the Inter font and the page layout.
"""

from __future__ import annotations

import atexit
import base64
import functools
import gc
import mimetypes
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string

# The documents' own origin: relative links resolve below it, and only its static files load.
BASE_URL = "https://pdf.naboskap.invalid/"
PDF_VARIANT = "pdf/a-2b"
# Images inlined as data URIs (QR codes drawn in memory, photos read from private storage)
# are decoded, not fetched: a PNG is drawn about twice as fast as the same image as inline
# SVG. Only these prefixes are accepted, each with its content type.
PNG_DATA_URI = "data:image/png;base64,"
JPEG_DATA_URI = "data:image/jpeg;base64,"
DATA_URIS = ((PNG_DATA_URI, "image/png"), (JPEG_DATA_URI, "image/jpeg"))

_fonts = threading.local()


def _font_config():
    """This thread's WeasyPrint font configuration, made once and kept.

    A new one per document (WeasyPrint's default) decodes the WOFF2 files of every
    `@font-face` again (fontTools, about a tenth of a second each) and starts Pango's font
    caches cold. The fonts are the same static files for every document, so one per thread
    (Pango's font map is not shared between threads) serves them all."""
    config = getattr(_fonts, "config", None)
    if config is None:
        # Local: WeasyPrint loads Pango when imported, which only PDF pages need.
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
        if threading.current_thread() is threading.main_thread():
            # WeasyPrint deletes the configuration's folder of decoded fonts when it is
            # collected, with `shutil.rmtree`, which may be torn down already when the
            # interpreter exits: the main thread's is dropped before that. (Another
            # thread's goes when the thread ends.)
            atexit.register(_fonts.__dict__.pop, "config", None)
    return config


@functools.cache
def _html_class():
    """WeasyPrint's `HTML` with the user-agent stylesheet of `_user_agent_stylesheet`, once
    the libraries' slow spots are fixed (`_fix_dependencies`). Made at the first PDF."""
    # Local: WeasyPrint loads Pango when imported, which only PDF pages need.
    from weasyprint import HTML
    from weasyprint.html import UA_STYLESHEET

    _fix_dependencies()
    user_agent = _user_agent_stylesheet()

    class DocumentHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            sheets = super()._ua_stylesheets(forms)
            return [user_agent if sheet is UA_STYLESHEET else sheet for sheet in sheets]

    return DocumentHTML


@functools.cache
def _user_agent_stylesheet():
    """WeasyPrint's user-agent stylesheet without its rules for the pseudo-elements of every
    element.

    It gives `::marker`, `::footnote-call`, `::footnote-marker` and three `::note-…`
    pseudo-elements to every element (`*`), so the cascade computes six pseudo-element styles
    per element that no box ever uses: half the cascade (0.2 s of the 50-event ROS report).
    Markers only exist on list items (no document makes anything else one), footnote and
    note calls only on elements floated to a footnote or note (none is): with the marker
    rule on `li` and the other five left out, every document comes out byte for byte the
    same. A document that floats something to a footnote brings those rules along."""
    from weasyprint import CSS
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA

    text = UA.replace("\n::marker {", "\nli::marker {")
    text = re.sub(r"\n::(?:footnote|note)-[a-z-]+ \{[^}]*\}", "", text)
    # Its @counter-style rules are WeasyPrint's own already: they go to a throw-away set.
    return CSS(string=text, counter_style=CounterStyle())


def _fix_dependencies() -> None:
    """Two slow spots of the libraries under WeasyPrint, fixed in place, once: together a
    quarter of a second of the 50-event ROS report, and neither changes a byte of a PDF."""
    import pydyf
    import tinyhtml5.inputstream

    # pydyf 0.13 makes the tuple of every page's reference each time `page_references` is
    # read, and WeasyPrint's tags read it once per structure element: 15,000 tuples of 51
    # references for the 50-event report. Kept per PDF until a page is added.
    uncached = pydyf.PDF.page_references
    if isinstance(uncached, property) and not hasattr(uncached.fget, "uncached"):

        def page_references(pdf):
            kids = pdf.pages["Kids"]
            key, references = pdf.__dict__.get("_naboskap_page_references", (None, None))
            if key != (id(kids), len(kids)):
                references = uncached.fget(pdf)
                pdf.__dict__["_naboskap_page_references"] = ((id(kids), len(kids)), references)
            return references

        page_references.uncached = uncached
        pydyf.PDF.page_references = property(page_references)

    # tinyhtml5 2.1 caches the regular expressions of `chars_until` under the wrong key (it
    # rebinds `characters` before storing), so it builds one again for every run of text and
    # every attribute value: half the time of parsing the HTML. A cache that fills itself
    # under the key it is looked up with never misses.
    if type(getattr(tinyhtml5.inputstream, "characters_until_regex", None)) is dict:
        tinyhtml5.inputstream.characters_until_regex = _CharactersUntil()


class _CharactersUntil(dict):
    """tinyhtml5's `chars_until` regular expressions by (characters, opposite), each made as
    tinyhtml5 makes it on first use."""

    def __missing__(self, key):
        characters, opposite = key
        ranges = "".join(f"\\x{ord(character):02x}" for character in characters)
        regex = self[key] = re.compile(f"[{ranges}]+" if opposite else f"[^{ranges}]+")
        return regex


def _write_each_object_once(_document, pdf) -> None:
    """A WeasyPrint finisher: each object of the PDF replaced by its bytes, made now.

    To hash the PDF/A file identifier pydyf serialises every object a second time, and
    compresses every stream (page contents, fonts) again at level 9: 0.35 s of the 50-event
    ROS report. Made once, the file is byte for byte the same. Runs after the last change to
    the objects (WeasyPrint calls it right before `pdf.write`)."""
    serialised = _serialised_class()
    pdf.objects[:] = [obj if obj.free == "f" else serialised(obj) for obj in pdf.objects]


@functools.cache
def _serialised_class():
    import pydyf

    class Serialised(pydyf.Object):
        """A PDF object as its bytes: what pydyf writes (and hashes) of the object it
        replaces, under the same number."""

        data = compressible = None  # plain attributes here, properties in pydyf

        def __init__(self, obj):
            super().__init__()
            self.number, self.generation, self.free = obj.number, obj.generation, obj.free
            self.data = obj.data
            self.compressible = obj.compressible

    return Serialised


def static_file(path: str) -> Path | None:
    """The file behind a static path (`vendor/inter/files/…`), collected or not."""
    found = finders.find(path)
    if found:
        return Path(found)
    try:
        collected = Path(staticfiles_storage.path(path))
    except NotImplementedError:  # pragma: no cover (remote storage)
        return None
    return collected if collected.is_file() else None


def _fetcher_class():
    # Local: WeasyPrint loads Pango when imported, which only PDF pages need.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the static files below BASE_URL and decodes the image data URIs of
        DATA_URIS; refuses every other URL."""

        def fetch(self, url, headers=None):
            for data_uri, content_type in DATA_URIS:  # an image in memory: no fetch
                if url.startswith(data_uri):
                    body = base64.b64decode(url[len(data_uri) :], validate=True)
                    return URLFetcherResponse(url, body, {"Content-Type": content_type}, status=200)
            parts = urlsplit(url)
            prefix = urlsplit(BASE_URL).netloc
            static_path = urlsplit(settings.STATIC_URL).path
            if parts.scheme != "https" or parts.netloc != prefix:
                raise ValueError(f"PDF rendering loads static files only, not {url}")
            path = unquote(parts.path)
            if not path.startswith(static_path) or ".." in path.split("/"):
                raise ValueError(f"PDF rendering loads static files only, not {url}")
            found = static_file(path[len(static_path) :])
            if found is None:
                raise ValueError(f"No static file {path}")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, found.read_bytes(), {"Content-Type": content_type}, status=200
            )

    return StaticOnlyFetcher


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a template to a tagged PDF/A-2b document."""
    html = render_to_string(template_name, context, request=request)
    document = _html_class()(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()())
    # WeasyPrint allocates millions of short-lived objects, none in reference cycles that
    # matter here; the cyclic collector would scan the whole heap many times over and cost
    # a quarter of the rendering time. It runs again as usual once the document is written.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return document.write_pdf(
            pdf_variant=PDF_VARIANT,
            pdf_tags=True,
            font_config=_font_config(),
            finisher=_write_each_object_once,
        )
    finally:
        if collecting:
            gc.enable()
