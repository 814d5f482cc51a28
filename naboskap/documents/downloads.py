"""What a download address answers, for the views of the apps that own the documents.

The app's view opens the object with its own access helper, exactly as before, and hands it
here: a current document is sent from storage at once; otherwise the page says the document
is being prepared, with its progress when known, and looks again every few seconds until it
is ready, then shows "ready" and starts the download; a document that could not be made
says so and offers to try again (a POST to the same address). Nothing is rendered here.

Looking again: with JavaScript, htmx asks for the page's status part every few seconds and
a screen reader hears the change (a polite live region); when the state changes, htmx
loads the whole page again (`HX-Redirect`). Without JavaScript, a `<meta http-equiv=
"refresh">` inside `<noscript>` reloads the page instead. (A refresh that reloads the page
for everyone would move a screen reader back to the top every few seconds: WCAG failure
F41, which axe-core reports.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from naboskap.documents import registry, rendering, services
from naboskap.documents.models import Document

# The page's address while it waits: when the document is ready, it shows "ready" and
# starts the download, instead of being replaced by the file.
WAITING = "vent"
REFRESH_SECONDS = 3
PART = "del"
# htmx stops polling on this status.
STOP_POLLING = 286


@dataclass
class Part:
    status: str
    url: str
    first: int
    last: int


def _address(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _file(document: Document, filename: str) -> FileResponse | None:
    try:
        file = document.file.open("rb")
    except FileNotFoundError:  # lost from storage (a restore without files): made again
        Document.objects.filter(pk=document.pk).update(fingerprint="")
        return None
    response = FileResponse(
        file, content_type="application/pdf", as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _items_done(part: Document) -> int:
    """How many of a run part's items (its `count`) are done, from its progress."""
    count = part.params.get("count", 0)
    if part.status == Document.Status.READY:
        return count
    return count * part.progress_done // part.progress_total if part.progress_total else 0


def _percent(done: int, total: int) -> int | None:
    return min(99, done * 100 // total) if total else None


def _page(request, context: dict, *, refresh: str = "") -> HttpResponse:
    """The whole page, or (to htmx looking again) what its status region says. When a
    document is no longer being prepared, htmx is told to load the whole page, which shows
    "ready" and starts the download, or says it failed (`HX-Redirect`); a run's page stops
    looking (status 286) once no part is being prepared."""
    context.update(refresh_url=refresh, refresh_seconds=REFRESH_SECONDS)
    if not getattr(request, "htmx", False):
        return render(request, "documents/preparing.html", context)
    if refresh:
        return render(request, "documents/includes/status.html", context)
    if context.get("parts") and not context.get("download_url"):
        return render(request, "documents/includes/status.html", context, status=STOP_POLLING)
    response = HttpResponse()
    response["HX-Redirect"] = _address(request, **{WAITING: "1"})
    return response


def download(
    request: HttpRequest,
    *,
    kind: str,
    obj,
    variant: str = "",
    back_url: str,
    back_label: str,
    breadcrumbs=None,
) -> HttpResponse:
    """The document of `kind` for `obj` (already opened through the app's access helper),
    in the reader's language unless the kind has one of its own."""
    found = registry.get(kind)
    document = services.document_for(
        kind=kind, obj=obj, variant=variant, language=translation.get_language()
    )
    fingerprint = rendering.fingerprint_of(document, obj)
    if request.method == "POST":  # "Try again" after a failure
        services.document_request(document=document, fingerprint=fingerprint, again=True)
        return redirect(_address(request, **{WAITING: "1"}))
    waiting = WAITING in request.GET
    context = {
        "label": found.label,
        "back_url": back_url,
        "back_label": back_label,
        "breadcrumbs": breadcrumbs,
    }
    if rendering.is_current(document, fingerprint):
        if not waiting:
            response = _file(document, found.filename(obj, variant, 1))
            if response is not None:
                return response
        else:
            context.update(state="ready", download_url=_address(request, **{WAITING: None}))
            return _page(request, context)
    if document.status == Document.Status.FAILED and document.wanted == fingerprint:
        context["state"] = "failed"
        return _page(request, context)
    services.document_request(document=document, fingerprint=fingerprint)
    document.refresh_from_db(fields=["progress_done", "progress_total"])
    context.update(
        state="preparing", percent=_percent(document.progress_done, document.progress_total)
    )
    return _page(request, context, refresh=_address(request, **{WAITING: "1"}))


def run(
    request: HttpRequest,
    *,
    kind: str,
    obj,
    token: str,
    back_url: str,
    back_label: str,
    breadcrumbs=None,
) -> HttpResponse:
    """A run's page, for the one who asked for it (anyone else: 404): its parts as they
    are ready, each a download of its own (`?del=2`), and the progress of the rest."""
    found = registry.get(kind)
    parts = list(
        Document.objects.filter(
            kind=kind, object_id=obj.pk, variant=token, requested_by=request.user
        ).order_by("part")
    )
    if not parts:
        raise Http404
    if request.method == "POST":  # "Try again" for the parts that failed
        for document in parts:
            if document.status == Document.Status.FAILED:
                services.document_request(
                    document=document, fingerprint=document.wanted, again=True
                )
        return redirect(_address(request, **{WAITING: "1"}))
    number = request.GET.get(PART, "")
    if number:
        document = next((p for p in parts if str(p.part) == number), None)
        if document is None or document.status != Document.Status.READY:
            raise Http404
        response = _file(document, found.filename(obj, document.variant, document.part))
        if response is None:
            raise Http404
        return response
    rows, first = [], 1
    for document in parts:
        count = document.params.get("count", 0)
        rows.append(
            Part(
                document.status,
                _address(request, **{WAITING: None, PART: str(document.part)}),
                first,
                first + count - 1,
            )
        )
        first += count
    statuses = {document.status for document in parts}
    total = first - 1
    done = sum(_items_done(document) for document in parts)
    context = {
        "label": found.label,
        "back_url": back_url,
        "back_label": back_label,
        "breadcrumbs": breadcrumbs,
        "parts": rows,
        "ready": sum(document.status == Document.Status.READY for document in parts),
        "expires_at": parts[0].expires_at,
        "failed_parts": Document.Status.FAILED in statuses,
    }
    if statuses == {Document.Status.READY}:
        context["state"] = "ready"
        if len(parts) == 1 and WAITING in request.GET:
            context["download_url"] = rows[0].url
        return _page(request, context)
    if Document.Status.PREPARING not in statuses:
        context["state"] = "failed"
        return _page(request, context)
    context.update(state="preparing", percent=_percent(done, total))
    return _page(request, context, refresh=_address(request, **{WAITING: "1", PART: None}))
