"""PDF documents from templates with WeasyPrint: PDF/A-2b, tagged, offline.

A template links its stylesheet, fonts and images with `{% static %}` as a web page does;
`render_pdf` resolves those from the static files and fetches nothing else, so rendering
never touches the network (and a link in user content cannot make the server fetch it).
An image held in memory goes in as a PNG or JPEG data URI (`DATA_URIS`).
Include `pdf/base.css` (via `pdf/base.html`) for the Inter font and the page layout.
"""

from __future__ import annotations

import base64
import gc
import mimetypes
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
    return config


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
    # Imported here: WeasyPrint loads Pango when imported, which only PDF pages need.
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()())
    # WeasyPrint allocates millions of short-lived objects, none in reference cycles that
    # matter here; the cyclic collector would scan the whole heap many times over and cost
    # a quarter of the rendering time. It runs again as usual once the document is written.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return document.write_pdf(
            pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=_font_config()
        )
    finally:
        if collecting:
            gc.enable()
