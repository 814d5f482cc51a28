"""Stored documents in tests: render what a download asked for, here and now.

A download of a document that is not current answers with the page that waits for the
worker. `fetch_document(client, url)` renders what that request queued (as `db_worker`
would, in this process, so it works without `transaction=True`) and asks again, and returns
the answer with its body read, so a test can read the PDF from `response.content`.
"""

from __future__ import annotations

from django.http import HttpResponse


def render_queued() -> int:
    """Render every document a download or a change has queued; returns how many."""
    from naboskap.documents.models import Document
    from naboskap.documents.rendering import render_document

    waiting = Document.objects.filter(
        status=Document.Status.PREPARING, queued_at__isnull=False
    ).values_list("pk", flat=True)
    return sum(render_document(pk) == "rendered" for pk in list(waiting))


def read(response) -> HttpResponse:
    """A streamed answer (a stored file) as a plain one, with the same status and headers."""
    if not getattr(response, "streaming", False):
        return response
    plain = HttpResponse(b"".join(response.streaming_content), status=response.status_code)
    for name, value in response.items():
        plain[name] = value
    plain.streamed = True
    return plain


def fetch_document(client, url: str, **extra) -> HttpResponse:
    """GET a stored document: rendered first if the download found it not current."""
    response = client.get(url, **extra)
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        render_queued()
        response = client.get(url, **extra)
    return read(response)


def fetch_run(client, started, *, part: int = 1) -> HttpResponse:
    """After the POST that started a run (`started`, a redirect to the run's page): render
    its parts here, and download part `part`."""
    assert started.status_code == 302, started.status_code
    render_queued()
    return read(client.get(f"{started['Location']}?del={part}"))
