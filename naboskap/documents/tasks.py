"""Background work for stored documents, run by `manage.py db_worker`.

`render_document` renders one document (claimed in the database, so a second worker or a
re-run renders nothing twice); `refresh_documents` runs after a change and queues a render
of each document of the project (or of the object) that no longer shows what it should.
"""

from __future__ import annotations

from django.db.models import Q
from django_tasks import task

from naboskap.documents import rendering
from naboskap.documents.models import Document


@task(takes_context=True)
def render_document(context, document_id: int) -> str:
    # Run again (attempt 2 or later) only when the worker that ran it died: take over its claim.
    return rendering.render_document(document_id, take_over=context.attempt > 1)


@task()
def refresh_documents(project_pk: int | None, kind: str, object_id: int) -> int:
    """Queue a render of every stored document that the change made stale: the object's
    own documents, and the project's (whose fingerprints read data of other apps). Runs
    are made once and never refreshed. Returns how many were queued."""
    mine = Q(kind=kind, object_id=object_id)
    if project_pk is not None:
        mine |= Q(project_pk=project_pk)
    documents = Document.objects.filter(mine, expires_at__isnull=True).order_by("pk")
    queued = 0
    for document, fingerprint in rendering.stale_documents(documents):
        if rendering.want(document, fingerprint):
            render_document.enqueue(document.pk)
            queued += 1
    return queued


def refresh_all() -> int:
    """Queue a render of every stored document that is not current: those whose content
    depends on the day (overdue measures, concerns of the last twelve months), so that they
    are ready in the morning. Returns how many were queued."""
    queued = 0
    documents = Document.objects.filter(expires_at__isnull=True).order_by("kind", "object_id")
    for document, fingerprint in rendering.stale_documents(documents.iterator()):
        if rendering.want(document, fingerprint):
            render_document.enqueue(document.pk)
            queued += 1
    return queued
