"""Rendering a stored document in the worker, and telling whether a stored file is current.

Both the worker (`tasks`) and the download pages (`services`, `downloads`) use this module;
it queues nothing itself.

A document is current when its `fingerprint` equals `fingerprint_of(document, obj)`: the
document's generation (moved on by `documents_changed`) and what its kind reads of the data
the app's own services do not report (measures of another app, the project's name, the
number of concerns in the last year). Rendering claims the version it makes in the
database first (`wanted` and `claimed_at`), so two workers never render the same version
twice; a claim older than `LOST_AFTER` lost its worker and is taken over.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone, translation

from naboskap.documents import registry
from naboskap.documents.models import Document, document_path
from naboskap.lib import events
from naboskap.lib.storage import private_storage

logger = logging.getLogger(__name__)

# A render claimed or queued this long ago without a result lost its worker (or its task).
LOST_AFTER = timedelta(minutes=15)
# Progress is written at most this often (seconds), and once more at the end.
PROGRESS_EVERY = 1.0


def object_of(document: Document) -> Model | None:
    """The object a document shows, or None when it is gone."""
    kind = registry.get(document.kind)
    return kind.model._default_manager.filter(pk=document.object_id).first()


def fingerprint_of(document: Document, obj: Model) -> str:
    """What the document would show if it were rendered now, as a short hash."""
    shown = registry.get(document.kind).fingerprint(obj, document.variant)
    return hashlib.sha256(f"{document.generation}\x1f{shown}".encode()).hexdigest()[:40]


def is_current(document: Document, fingerprint: str) -> bool:
    return bool(document.file) and document.fingerprint == fingerprint


def want(document: Document, fingerprint: str, *, again: bool = False) -> bool:
    """Mark `fingerprint` as the version to prepare. True when a render must be queued for
    it; False when one is queued or running already, or (unless `again`, the "try again"
    button) when this very version failed."""
    now = timezone.now()
    busy = Q(status=Document.Status.PREPARING, queued_at__gt=now - LOST_AFTER) | Q(
        status=Document.Status.PREPARING, claimed_at__gt=now - LOST_AFTER
    )
    if not again:
        busy |= Q(status=Document.Status.FAILED)
    wanted = (
        Document.objects.filter(pk=document.pk)
        .exclude(Q(wanted=fingerprint) & busy)
        .exclude(fingerprint=fingerprint, status=Document.Status.READY)
        .update(
            wanted=fingerprint,
            status=Document.Status.PREPARING,
            queued_at=now,
            claimed_at=None,
            progress_done=0,
            error="",
        )
    )
    if wanted:
        document.wanted, document.status = fingerprint, Document.Status.PREPARING
    return bool(wanted)


class Progress:
    """`progress(done, total)` for a kind's renderer: written now and then, not every call."""

    def __init__(self, document_pk: int, fingerprint: str) -> None:
        self.document_pk = document_pk
        self.fingerprint = fingerprint
        self.written_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        moment = time.monotonic()
        if done < total and moment - self.written_at < PROGRESS_EVERY:
            return
        self.written_at = moment
        Document.objects.filter(pk=self.document_pk, wanted=self.fingerprint).update(
            progress_done=min(done, total), progress_total=total
        )


def render_document(document_id: int, *, take_over: bool = False) -> str:
    """Render a document if it is not current, once per version however many workers are
    asked to. Returns what happened: "rendered", "current", "claimed" (another worker has
    it, or this version failed and waits for "try again"), "failed", "superseded" (the data
    changed while it rendered: the newer version is queued) or "gone".

    `take_over`: this is the task run again because its worker died while rendering (see
    scheduling.services.requeue_orphaned), so the claim still held is that dead worker's."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return "gone"
    obj = object_of(document)
    if obj is None:
        delete_documents(Document.objects.filter(pk=document.pk))
        return "gone"
    fingerprint = fingerprint_of(document, obj)
    if is_current(document, fingerprint):
        return "current"
    now = timezone.now()
    taken = Q(status=Document.Status.FAILED)  # waits for "try again"
    if not take_over:
        taken |= Q(status=Document.Status.PREPARING, claimed_at__gt=now - LOST_AFTER)
    claimed = (
        Document.objects.filter(pk=document.pk)
        .exclude(Q(wanted=fingerprint) & taken)
        .update(
            wanted=fingerprint,
            status=Document.Status.PREPARING,
            claimed_at=now,
            progress_done=0,
            error="",
        )
    )
    if not claimed:
        return "claimed"
    kind = registry.get(document.kind)
    job = registry.Job(
        obj=obj,
        variant=document.variant,
        params=document.params,
        part=document.part,
        parts=document.parts,
        progress=Progress(document.pk, fingerprint),
    )
    began = time.thread_time()
    try:
        with translation.override(document.language):
            content = kind.render(job)
    except Exception as exc:
        logger.exception("Could not render %s", document)
        Document.objects.filter(pk=document.pk, wanted=fingerprint).update(
            status=Document.Status.FAILED,
            claimed_at=None,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return "failed"
    return _store(document, fingerprint, content, time.thread_time() - began)


def _store(document: Document, fingerprint: str, content: bytes, cpu_seconds: float) -> str:
    name = private_storage.save(document_path(document, ""), ContentFile(content))
    with transaction.atomic():
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None or locked.wanted != fingerprint:
            transaction.on_commit(lambda: private_storage.delete(name))
            return "superseded"
        old = locked.file.name
        Document.objects.filter(pk=document.pk).update(
            file=name,
            fingerprint=fingerprint,
            status=Document.Status.READY,
            size=len(content),
            rendered_at=timezone.now(),
            cpu_seconds=round(cpu_seconds, 3),
            claimed_at=None,
            progress_done=locked.progress_total,
            error="",
        )
        if old and old != name:
            transaction.on_commit(lambda: private_storage.delete(old))
        # For the municipality's webhooks (ADR 0032), committed with the stored file.
        events.emit(events.DOCUMENT_READY, locked, municipality_id=locked.municipality_id)
    return "rendered"


def stale_documents(documents) -> list[tuple[Document, str]]:
    """(document, the fingerprint it should have) for those of `documents` that are not
    current; documents whose object is gone are deleted."""
    objects: dict[tuple[str, int], Model | None] = {}
    stale, gone = [], []
    for document in documents:
        key = (document.kind, document.object_id)
        if key not in objects:
            objects[key] = object_of(document)
        obj = objects[key]
        if obj is None:
            gone.append(document.pk)
            continue
        fingerprint = fingerprint_of(document, obj)
        if not is_current(document, fingerprint):
            stale.append((document, fingerprint))
    if gone:
        delete_documents(Document.objects.filter(pk__in=gone))
    return stale


def delete_documents(documents) -> int:
    """Delete documents and their files (the files once the deletion is committed)."""
    names = [name for name in documents.values_list("file", flat=True) if name]
    deleted, _rows = documents.delete()
    if names:
        transaction.on_commit(lambda: [private_storage.delete(name) for name in names])
    return deleted


def prune(now=None) -> int:
    """Delete runs past their time and documents whose object no longer exists (deleted by
    its owner, or by retention): a stored file is never kept longer than what it shows."""
    now = now or timezone.now()
    deleted = delete_documents(Document.objects.filter(expires_at__lt=now))
    for kind in registry.kinds():
        existing = kind.model._default_manager.values("pk")
        deleted += delete_documents(
            Document.objects.filter(kind=kind.name).exclude(object_id__in=existing)
        )
    return deleted
