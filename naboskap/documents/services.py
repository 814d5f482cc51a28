"""Operations on stored documents. The domain apps call `documents_changed` from their own
services; the download pages (`downloads`) call the rest.

`documents_changed` runs inside the calling service's transaction: it moves the object's
documents on to a new generation (so none of them is served as current any more) and,
once the transaction is committed, queues `tasks.refresh_documents`, which renders them
again, together with every other document of the project that the change made stale.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from naboskap.documents import registry, rendering, tasks
from naboskap.documents.models import Document
from naboskap.tenancy.models import Municipality

# A run (survey codes, a letter run) is kept this long for the one who asked for it.
RUN_KEPT = timedelta(days=1)


def _refresh_after_commit(project_pk: int | None, kind: str, object_id: int) -> None:
    transaction.on_commit(partial(tasks.refresh_documents.enqueue, project_pk, kind, object_id))


def _default_language(kind: registry.Kind, obj: Model) -> str:
    return kind.language(obj) or (
        Municipality.objects.values_list("default_language", flat=True).get(
            pk=kind.municipality_id(obj)
        )
    )


def documents_changed(*, kind: str, obj: Model) -> None:
    """What the documents of `kind` show of `obj` has changed (called by the service that
    changed it, in its transaction). They are no longer current, and are rendered again
    after commit; a kind rendered ahead gets its first document now, in the
    municipality's language, before anyone asks."""
    found = registry.get(kind)
    moved = Document.objects.filter(kind=kind, object_id=obj.pk).update(
        generation=F("generation") + 1
    )
    if not moved and found.ahead:
        _document(found, obj, variant="", language=_default_language(found, obj))
    _refresh_after_commit(found.project_id(obj), kind, obj.pk)


def documents_recheck(*, project_pk: int) -> None:
    """Something every document of the project may show changed (its name, its address):
    after commit, the stale ones are rendered again."""
    transaction.on_commit(partial(tasks.refresh_documents.enqueue, project_pk, "", 0))


def _document(kind: registry.Kind, obj: Model, *, variant: str, language: str) -> Document:
    fields = {"kind": kind.name, "object_id": obj.pk, "variant": variant, "language": language}
    document = Document.objects.filter(**fields, part=1).first()
    if document is not None:
        return document
    try:
        with transaction.atomic():
            return Document.objects.create(
                **fields,
                municipality_id=kind.municipality_id(obj),
                project_pk=kind.project_id(obj),
            )
    except IntegrityError:  # made by a request at the same moment
        return Document.objects.get(**fields, part=1)


def document_for(*, kind: str, obj: Model, variant: str, language: str) -> Document:
    """The stored document a download asks for, made (empty) the first time."""
    found = registry.get(kind)
    return _document(found, obj, variant=variant, language=found.language(obj) or language)


def document_request(*, document: Document, fingerprint: str, again: bool = False) -> bool:
    """Ask for the document to be rendered as `fingerprint` (after commit), unless that is
    queued or running already. `again` is the "try again" button after a failure."""
    if not rendering.want(document, fingerprint, again=again):
        return False
    transaction.on_commit(partial(tasks.render_document.enqueue, document.pk))
    return True


@transaction.atomic
def run_start(
    *, kind: str, obj: Model, requested_by, language: str, parts: list[dict]
) -> tuple[str, list[Document]]:
    """A run of `kind` for `obj`, asked for by `requested_by`: one document per part (each
    with its own parameters), all queued for the worker. Returns the run's token (its
    variant) and its parts."""
    found = registry.get(kind)
    if not found.run or not parts:
        raise ValueError(f"{kind} is not a run, or the run has no parts")
    token = secrets.token_urlsafe(12)
    now = timezone.now()
    Document.objects.bulk_create(
        Document(
            kind=kind,
            object_id=obj.pk,
            variant=token,
            language=language,
            part=number,
            parts=len(parts),
            params=params,
            requested_by=requested_by,
            municipality_id=found.municipality_id(obj),
            project_pk=found.project_id(obj),
            expires_at=now + RUN_KEPT,
        )
        for number, params in enumerate(parts, start=1)
    )
    documents = list(
        Document.objects.filter(kind=kind, object_id=obj.pk, variant=token).order_by("part")
    )
    for document in documents:
        document_request(document=document, fingerprint=rendering.fingerprint_of(document, obj))
    return token, documents


def documents_prune() -> int:
    """Delete expired runs and the documents of objects that are gone (files included)."""
    with transaction.atomic():
        return rendering.prune()
