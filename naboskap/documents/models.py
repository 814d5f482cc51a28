"""Stored documents: a PDF per (kind, object, variant, language), rendered by the worker and
served from private storage.

A document's `fingerprint` says what its file shows; the kind computes what the object
shows now (see `rendering.fingerprint_of`), and a download serves the file only when the
two match. `status` is about the newest version asked for (`wanted`): being prepared,
failed, or ready (the file is that version).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from naboskap.lib.storage import private_storage


def document_storage():
    return private_storage


def document_path(instance, filename: str) -> str:
    # A random name: the folder is private anyway, but names must not be guessable.
    return f"documents/{instance.municipality_id}/{secrets.token_hex(16)}.pdf"


class Document(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    # The project the object belongs to, if any (a plain number: this app knows no project).
    project_pk = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=60)
    object_id = models.PositiveBigIntegerField()
    # Which rendering of the object: an approved version, a filter, a run's token.
    variant = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10)
    # A run comes in parts, each a document of its own that a worker renders by itself.
    part = models.PositiveSmallIntegerField(default=1)
    parts = models.PositiveSmallIntegerField(default=1)
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Moved on by `documents_changed`: part of every fingerprint.
    generation = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREPARING
    )
    wanted = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    file = models.FileField(
        upload_to=document_path, storage=document_storage, max_length=200, blank=True
    )
    size = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    cpu_seconds = models.FloatField(_("CPU seconds"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # When a worker began rendering `wanted`; a claim older than `rendering.LOST_AFTER` lost
    # its worker and may be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Runs only: deleted after this.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "variant", "language", "part"],
                name="unique_stored_document",
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="document_object")]

    def __str__(self) -> str:
        variant = f" {self.variant}" if self.variant else ""
        return f"{self.kind} {self.object_id}{variant} ({self.language}) {self.part}/{self.parts}"
