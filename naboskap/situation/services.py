"""Operations on the shared assessment. Views and the demo loader call these.

An assessment's text is versioned: every change adds a version, and sign-offs belong to the
version that was signed, so an edit after a sign-off leaves the new version unsigned while
the earlier version and its sign-offs stay readable. Editing and signing lock the
assessment's row and compare its current version with the one the user read, so nobody
signs (or overwrites) a text they have not seen.

Each version's PDF is a stored document (`documents`): a new version and a sign-off are
reported to it (`documents_changed`), so its PDF is made again before anyone asks.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from naboskap.documents.services import documents_changed
from naboskap.lib.errors import DomainError
from naboskap.situation.documents import ASSESSMENT
from naboskap.situation.models import Assessment, AssessmentVersion, Party, SignOff
from naboskap.situation.selectors import MAX_DAYS


class AssessmentError(DomainError):
    """An operation refused: the message says why, for the user."""


def period_check(start: datetime.date | None, end: datetime.date | None) -> None:
    """Raise a ValidationError (per field) unless the period is a sensible one."""
    if start is None or end is None:
        errors = {}
        if start is None:
            errors["period_start"] = _("Give the first day of the period.")
        if end is None:
            errors["period_end"] = _("Give the last day of the period.")
        raise ValidationError(errors)
    if end < start:
        raise ValidationError(
            {"period_end": _("The period must end on or after the day it starts.")}
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(
            {"period_end": _("A period can be at most %(days)d days long.") % {"days": MAX_DAYS}}
        )


def _signer_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@transaction.atomic
def assessment_create(
    *, project, period_start: datetime.date, period_end: datetime.date, text: str, by=None
) -> Assessment:
    """A new assessment for a period of the project, with its first version."""
    period_check(period_start, period_end)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the assessment.")})
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                project=project,
                period_start=period_start,
                period_end=period_end,
                version=1,
                created_by=by,
            )
    except IntegrityError:
        raise AssessmentError(
            _("The project already has an assessment for exactly this period. Open it instead.")
        ) from None
    version = AssessmentVersion.objects.create(
        assessment=assessment, number=1, text=text, written_by=by
    )
    documents_changed(kind=ASSESSMENT, obj=version)
    return assessment


@transaction.atomic
def assessment_edit(*, assessment: Assessment, text: str, based_on: int, by=None) -> bool:
    """Save a changed text as a new version (without sign-offs). Returns whether it changed.

    `based_on` is the version the user edited: if someone saved another version in the
    meantime, nothing is saved (AssessmentError), so no one overwrites a text unseen.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != based_on:
        raise AssessmentError(
            _(
                "Someone saved a new version (version %(version)d) while you were editing. "
                "Read it, then make your changes again."
            )
            % {"version": locked.version}
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the assessment.")})
    current = AssessmentVersion.objects.get(assessment=locked, number=locked.version)
    if current.text == text:
        return False
    locked.version += 1
    locked.save(update_fields=["version"])
    version = AssessmentVersion.objects.create(
        assessment=locked, number=locked.version, text=text, written_by=by
    )
    # Its PDF, made now; the earlier versions' PDFs say which one is current, and are made
    # again with the project's other stale documents.
    documents_changed(kind=ASSESSMENT, obj=version)
    assessment.version = locked.version
    return True


@transaction.atomic
def assessment_sign(*, assessment: Assessment, version: int, party: str, by) -> SignOff:
    """Sign the current version for one party (who may sign for which party is the view's
    check, with the rules). Refused if the version is no longer the current one, if the
    party has signed it already, or if the same person signed it for the other party."""
    if party not in Party.values:
        raise AssessmentError(_("Choose whom you sign for."))
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != version:
        raise AssessmentError(
            _(
                "The text was changed after you opened it: version %(signed)d is no longer "
                "the current one (version %(version)d is). Read the new version before you "
                "sign."
            )
            % {"signed": version, "version": locked.version}
        )
    current = AssessmentVersion.objects.get(assessment=locked, number=locked.version)
    existing = {s.party: s for s in SignOff.objects.filter(version=current)}
    if party in existing:
        raise AssessmentError(
            _("%(party)s has already signed this version.") % {"party": Party(party).label}
        )
    if any(s.signed_by_id == by.pk for s in existing.values()):
        raise AssessmentError(
            _("You have signed this version for the other party. Each party signs for itself.")
        )
    sign_off = SignOff.objects.create(
        version=current, party=party, signed_by=by, signer_name=_signer_name(by)
    )
    current.assessment = locked
    documents_changed(kind=ASSESSMENT, obj=current)  # only this version's PDF shows it
    return sign_off
