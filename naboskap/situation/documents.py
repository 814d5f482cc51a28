"""The shared assessment as a stored document (naboskap.documents): one document per version
of the text, rendered by the worker and sent from storage.

A version is the object its document shows, so signing one version never touches the
documents of the others. What its own services change they report: a new assessment and a
new version (`services.assessment_create`, `assessment_edit`) get their first document
ahead, and a sign-off (`assessment_sign`, only ever on the current version) makes that
version's document stale. A version's text never changes once written, and its sign-offs
stop changing once it is no longer the current one.

The PDF also shows which version is the current one ("the current one is version 3": a new
version makes the earlier ones' documents stale), the project's and the municipality's
names, and the picture of the period: counts of concerns, caretaker observations and
incidents that other apps make and change. The fingerprint reads those, in a query for the
counts (`selectors.picture_counts`, the same rows the PDF is made from) and one for the
names of their categories. It says "Printed" with the day it was made, not the day it is
downloaded.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Category as ConcernCategory
from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.situation import selectors
from naboskap.situation.models import Assessment, AssessmentVersion, Party

ASSESSMENT = "situation.assessment"


def _assessment(version: AssessmentVersion) -> Assessment:
    """The version's assessment with its project and municipality: as the view opened them,
    or (in the worker) loaded in one query."""
    cached = AssessmentVersion.assessment.is_cached(version)
    if not cached or not Assessment.project.is_cached(version.assessment):
        version.assessment = Assessment.objects.select_related("project__municipality").get(
            pk=version.assessment_id
        )
    return version.assessment


def pdf_context(version: AssessmentVersion) -> dict:
    """What the PDF of a version shows: its text and sign-offs, whether it is the current
    one, and the picture of the period (counts only)."""
    assessment = _assessment(version)
    project = assessment.project
    return {
        "project": project,
        "assessment": assessment,
        "version": version,
        "is_current": version.number == assessment.version,
        "agreed": {s.party for s in version.sign_offs.all()} == set(Party.values),
        "picture": selectors.picture(project, assessment.period_start, assessment.period_end),
        # The day it was made (printed), which the stored document keeps.
        "today": timezone.localdate(),
    }


def _render(job: Job) -> bytes:
    version = (
        AssessmentVersion.objects.select_related("assessment__project__municipality")
        .prefetch_related("sign_offs")
        .get(pk=job.obj.pk)
    )
    return render_pdf("situation/assessment_pdf.html", pdf_context(version))


def _shown(version: AssessmentVersion, variant: str) -> str:
    assessment = _assessment(version)
    project = assessment.project
    counts = sorted(
        selectors.picture_counts(project, assessment.period_start, assessment.period_end),
        key=str,
    )
    codes = sorted({code for _source, _week, code, _n in counts})
    # The categories' names in every language: the fingerprint is the same for every reader.
    names = (
        list(
            ConcernCategory.objects.filter(municipality_id=project.municipality_id, code__in=codes)
            .order_by("code")
            .values_list("code", "name", "name_nn", "name_en", "position")
        )
        if codes
        else []
    )
    shown = [assessment.version, project.name, project.municipality.name, counts, names]
    text = json.dumps(shown, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def filename(version: AssessmentVersion, variant: str = "", part: int = 1) -> str:
    assessment = _assessment(version)
    return (
        f"situasjonsbilde-{assessment.project.slug}-{assessment.period_start:%Y-%m-%d}"
        f"-v{version.number}.pdf"
    )


register(
    Kind(
        name=ASSESSMENT,
        model=AssessmentVersion,
        label=_("Shared assessment"),
        render=_render,
        filename=filename,
        municipality_id=lambda version: _assessment(version).project.municipality_id,
        project_id=lambda version: _assessment(version).project_id,
        fingerprint=_shown,
        ahead=True,
    )
)
