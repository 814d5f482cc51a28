"""The record of processing activities and the DPIA support document as stored documents
(naboskap.documents): one of each per municipality, rendered by the worker and sent from
storage.

Both are made from the configuration (`processing`), and this app changes none of it: the
concern categories and the retention policy belong to `concerns`, the municipality's details
to `tenancy`, the processors and security measures to the settings, and the DPIA's numbers
(projects, concerns, persons, staff by role) to the apps that make them. So no service
reports a change, and nothing is made before someone asks; the fingerprint reads what they
show instead: the municipality's name and contact details (on the object), its categories
and its retention policy (a query each), the processors and security measures (from the
settings, no query), and for the DPIA the numbers (one query, `processing.scale`). Once a
document has been asked for, the morning refresh of stored documents makes it again when
that changed, before the next reader asks.

Not in the fingerprint: what the code declares (the activities, the roles, the access table,
which is asked of the permission rules for objects that are never saved), which changes
only with a new release. Each document says when it was made.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.privacy import processing
from naboskap.tenancy.models import Municipality

RECORDS = "privacy.records"
DPIA = "privacy.dpia"


def _digest(*parts) -> str:
    text = json.dumps(parts, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _settings_shown() -> list:
    """The processors and security measures as the settings make them now. Their labels are
    lazy translations: read as their source text, so every reader's language (and the
    worker's) gives the same fingerprint."""
    with translation.override(None):
        rows = [*processing.processors(), *processing.security_measures()]
        return [[str(value) for value in row.values()] for row in rows]


def _configuration(municipality: Municipality) -> list:
    """What both documents show of the municipality's configuration (two queries)."""
    categories = list(
        processing.concern_categories(municipality).values_list(
            "code", "name", "name_nn", "name_en", "active"
        )
    )
    policy = processing.retention_settings(municipality)
    retention = [(row["value"], row["saved"]) for row in policy]
    contact = [municipality.name, municipality.number, municipality.email, municipality.address]
    return [contact, str(municipality.phone), categories, retention, _settings_shown()]


def _records_shown(municipality: Municipality, variant: str) -> str:
    return _digest(_configuration(municipality))


def _dpia_shown(municipality: Municipality, variant: str) -> str:
    return _digest(_configuration(municipality), processing.scale(municipality))


def _records_render(job: Job) -> bytes:
    return render_pdf("privacy/records_pdf.html", processing.record_context(job.obj))


def _dpia_render(job: Job) -> bytes:
    return render_pdf("privacy/dpia_pdf.html", processing.dpia_context(job.obj))


def _dated(name: str, municipality: Municipality) -> str:
    return f"{name}-{municipality.slug}-{timezone.localdate():%Y-%m-%d}.pdf"


def records_filename(municipality: Municipality, variant: str = "", part: int = 1) -> str:
    return _dated("behandlingsprotokoll", municipality)


def dpia_filename(municipality: Municipality, variant: str = "", part: int = 1) -> str:
    return _dated("dpia-grunnlag", municipality)


register(
    Kind(
        name=RECORDS,
        model=Municipality,
        label=_("Record of processing activities"),
        render=_records_render,
        filename=records_filename,
        municipality_id=lambda municipality: municipality.pk,
        fingerprint=_records_shown,
    )
)
register(
    Kind(
        name=DPIA,
        model=Municipality,
        label=_("DPIA support document"),
        render=_dpia_render,
        filename=dpia_filename,
        municipality_id=lambda municipality: municipality.pk,
        fingerprint=_dpia_shown,
    )
)
