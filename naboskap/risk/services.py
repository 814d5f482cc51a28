"""Operations on scales, analyses and unwanted events. Views, the demo loader and (later)
the API call these; measures are made through `naboskap.plans.services`."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from naboskap.documents.services import documents_changed
from naboskap.lib import events
from naboskap.lib.errors import DomainError
from naboskap.plans import services as plan_services
from naboskap.plans.models import Measure
from naboskap.projects.models import Project
from naboskap.projects.services import project_touch
from naboskap.risk import workflow
from naboskap.risk.documents import REPORT
from naboskap.risk.models import (
    COLOUR_RANK,
    Analysis,
    AnalysisMeeting,
    Colour,
    ConsequenceDimension,
    ConsequenceLevel,
    ConsequenceScore,
    MatrixCell,
    Participant,
    ProbabilityLevel,
    PublishedSummary,
    RiskScale,
    RoundEvent,
    ScaleVersion,
    ScoringRound,
    StatusChange,
    UnwantedEvent,
    Vote,
)
from naboskap.risk.presets import PRESET_NAMES, preset_content
from naboskap.risk.selectors import summary_content
from naboskap.tenancy.models import Municipality

DEFAULT_PRESET = RiskScale.Preset.NABOLAG


class RiskError(DomainError):
    """A change the analysis does not allow; the messages are shown to the user."""

    def __init__(self, *messages):
        super().__init__(list(messages) if len(messages) > 1 else messages[0])


# Scales ------------------------------------------------------------------------------------


def _level_errors(levels: list[dict], size: int, what: str) -> list[str]:
    errors = []
    values = [level.get("value") for level in levels]
    if values != list(range(1, size + 1)):
        errors.append(
            _("%(what)s: the levels must be numbered 1 to %(size)d, in order, each once.")
            % {"what": what, "size": size}
        )
    for level in levels:
        if not str(level.get("name", "")).strip():
            errors.append(
                _("%(what)s: level %(value)s has no name.")
                % {"what": what, "value": level.get("value")}
            )
        if not str(level.get("definition", "")).strip():
            errors.append(
                _("%(what)s: level %(value)s has no definition.")
                % {"what": what, "value": level.get("value")}
            )
    return errors


def scale_errors(content: dict) -> list[str]:
    """Everything wrong with a scale's content (see naboskap.risk.presets), or []."""
    size = content.get("size")
    if size not in (4, 5):
        return [_("A scale has four or five levels.")]
    errors = _level_errors(content.get("probability", []), size, _("Probability"))
    dimensions = content.get("dimensions", [])
    if not dimensions:
        errors.append(_("A scale needs at least one consequence dimension."))
    keys = [dimension.get("key") for dimension in dimensions]
    if len(set(keys)) != len(keys):
        errors.append(_("Two consequence dimensions have the same key."))
    for dimension in dimensions:
        name = str(dimension.get("name", "")).strip()
        if not name:
            errors.append(_("A consequence dimension has no name."))
        errors += _level_errors(dimension.get("levels", []), size, name or "?")
    observed = [level.get("observed_per_year_from") for level in content.get("probability", [])]
    given = [value for value in observed if value is not None]
    if any(value < 0 for value in given) or given != sorted(set(given)):
        errors.append(
            _(
                "Probability: the observed numbers per year must be zero or more and grow "
                "with the level."
            )
        )
    cells = content.get("cells", {})
    colours = set(Colour.values)
    for p in range(1, size + 1):
        for c in range(1, size + 1):
            if cells.get((p, c)) not in colours:
                errors.append(
                    _("The matrix cell for probability %(p)d and consequence %(c)d has no colour.")
                    % {"p": p, "c": c}
                )
    if not errors:
        rank = {cell: COLOUR_RANK[colour] for cell, colour in cells.items()}
        for p in range(1, size + 1):
            for c in range(1, size + 1):
                lower = [rank.get((p - 1, c), -1), rank.get((p, c - 1), -1)]
                if rank[(p, c)] < max(lower):
                    errors.append(
                        _(
                            "The matrix cell for probability %(p)d and consequence %(c)d is "
                            "less severe than a cell with a lower probability or consequence."
                        )
                        % {"p": p, "c": c}
                    )
    criteria = content.get("criteria", {})
    for colour, label in Colour.choices:
        if not str(criteria.get(colour, "")).strip():
            errors.append(_("Write the acceptance criterion for %(colour)s.") % {"colour": label})
    return errors


def _version_write(version: ScaleVersion, content: dict) -> None:
    """Write the rows of a (new or unfrozen) version from valid content."""
    version.probability_levels.all().delete()
    version.dimensions.all().delete()
    version.cells.all().delete()
    ProbabilityLevel.objects.bulk_create(
        ProbabilityLevel(version=version, **level) for level in content["probability"]
    )
    for order, data in enumerate(content["dimensions"]):
        dimension = ConsequenceDimension.objects.create(
            version=version,
            key=data["key"],
            name=data["name"].strip(),
            order=order,
            required=data.get("required", True),
        )
        ConsequenceLevel.objects.bulk_create(
            ConsequenceLevel(dimension=dimension, **level) for level in data["levels"]
        )
    MatrixCell.objects.bulk_create(
        MatrixCell(version=version, probability=p, consequence=c, colour=colour)
        for (p, c), colour in content["cells"].items()
    )


def _check_scale(content: dict) -> None:
    errors = scale_errors(content)
    if errors:
        raise RiskError(*errors)


@transaction.atomic
def scale_create(
    *, municipality: Municipality, name: str, preset: str, content: dict, created_by=None
) -> RiskScale:
    _check_scale(content)
    if RiskScale.objects.filter(municipality=municipality, name=name).exists():
        raise RiskError(_("The municipality already has a scale with this name."))
    is_default = not RiskScale.objects.filter(municipality=municipality).exists()
    scale = RiskScale.objects.create(
        municipality=municipality, name=name, preset=preset, is_default=is_default
    )
    version = ScaleVersion.objects.create(
        scale=scale,
        number=1,
        size=content["size"],
        created_by=created_by,
        **{f"criteria_{colour}": text.strip() for colour, text in content["criteria"].items()},
    )
    _version_write(version, content)
    return scale


def scale_create_from_preset(
    municipality: Municipality,
    preset: str = DEFAULT_PRESET,
    size: int = 5,
    *,
    name: str = "",
    created_by=None,
) -> RiskScale:
    """A new scale from a preset ("nabolag" or "dsb"), with five or four levels."""
    if not name:
        name = PRESET_NAMES[preset] + ("" if size == 5 else " 4×4")
    return scale_create(
        municipality=municipality,
        name=name,
        preset=preset,
        content=preset_content(preset, size),
        created_by=created_by,
    )


def scale_ensure_default(municipality: Municipality) -> RiskScale:
    """The municipality's default scale; the "Nabolag" preset when it has none yet."""
    scale = RiskScale.objects.filter(municipality=municipality, is_default=True).first()
    if scale is None:
        scale = RiskScale.objects.filter(municipality=municipality).first()
    return scale or scale_create_from_preset(municipality, DEFAULT_PRESET)


def scale_current_version(scale: RiskScale) -> ScaleVersion:
    return scale.versions.order_by("-number").first()


def scale_content(version: ScaleVersion) -> dict:
    """A version's content as a dictionary, for the editor (see naboskap.risk.presets)."""
    levels = ("value", "name", "definition")
    return {
        "size": version.size,
        "probability": [
            {key: getattr(level, key) for key in (*levels, "observed_per_year_from")}
            for level in version.probability_levels.all()
        ],
        "dimensions": [
            {
                "key": dimension.key,
                "name": dimension.name,
                "required": dimension.required,
                "levels": [
                    {key: getattr(level, key) for key in levels} for level in dimension.levels.all()
                ],
            }
            for dimension in version.dimensions.prefetch_related("levels")
        ],
        "cells": {
            (cell.probability, cell.consequence): cell.colour for cell in version.cells.all()
        },
        "criteria": {colour: version.criteria(colour) for colour in Colour.values},
    }


@transaction.atomic
def scale_edit(*, scale: RiskScale, content: dict, edited_by=None, name: str = "") -> ScaleVersion:
    """Change a scale. A version that analyses use is never changed: the edit becomes a new
    version, and those analyses keep the one they were made with."""
    scale = RiskScale.objects.select_for_update().get(pk=scale.pk)
    _check_scale(content)
    if name and name != scale.name:
        if RiskScale.objects.filter(municipality=scale.municipality_id, name=name).exclude(
            pk=scale.pk
        ):
            raise RiskError(_("The municipality already has a scale with this name."))
        scale.name = name
        scale.save(update_fields=["name"])
    current = scale_current_version(scale)
    criteria = {f"criteria_{colour}": text.strip() for colour, text in content["criteria"].items()}
    if current.is_frozen or current.analyses.exists():
        version = ScaleVersion.objects.create(
            scale=scale,
            number=current.number + 1,
            size=content["size"],
            created_by=edited_by,
            **criteria,
        )
    else:
        version = current
        version.size = content["size"]
        for field, text in criteria.items():
            setattr(version, field, text)
        version.save()
    _version_write(version, content)
    return version


@transaction.atomic
def scale_make_default(*, scale: RiskScale) -> None:
    RiskScale.objects.filter(municipality=scale.municipality_id).update(is_default=False)
    RiskScale.objects.filter(pk=scale.pk).update(is_default=True)


# Analyses ----------------------------------------------------------------------------------


def _report_changed(analysis: Analysis) -> None:
    """The analysis's ROS report shows what just changed: it is rendered again after commit
    (naboskap.documents)."""
    documents_changed(kind=REPORT, obj=analysis)


def _replace_rows(analysis: Analysis, participants, meetings) -> None:
    if participants is not None:
        analysis.participants.all().delete()
        Participant.objects.bulk_create(Participant(analysis=analysis, **p) for p in participants)
    if meetings is not None:
        analysis.meetings.all().delete()
        AnalysisMeeting.objects.bulk_create(
            AnalysisMeeting(analysis=analysis, **m) for m in meetings
        )


def _freeze(version: ScaleVersion) -> None:
    if version.frozen_at is None:
        ScaleVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            frozen_at=timezone.now()
        )
        version.frozen_at = timezone.now()


@transaction.atomic
def analysis_create(
    *,
    project: Project,
    created_by,
    title: str,
    purpose: str,
    scale: RiskScale | None = None,
    participants: list[dict] | None = None,
    meetings: list[dict] | None = None,
    **fields,
) -> Analysis:
    """A new analysis on the current version of `scale` (the municipality's default scale,
    made from the "Nabolag" preset if it has none). That version is frozen from now on."""
    if scale is None:
        scale = scale_ensure_default(project.municipality)
    if scale.municipality_id != project.municipality_id:
        raise RiskError(_("The scale must belong to the project's municipality."))
    # Locked as scale_edit locks it: an edit cannot change the version while it is chosen.
    scale = RiskScale.objects.select_for_update().get(pk=scale.pk)
    version = scale_current_version(scale)
    _freeze(version)
    analysis = Analysis.objects.create(
        project=project,
        scale_version=version,
        created_by=created_by,
        title=title,
        purpose=purpose,
        **fields,
    )
    _replace_rows(analysis, participants, meetings)
    StatusChange.objects.create(analysis=analysis, to_status=analysis.status, changed_by=created_by)
    _report_changed(analysis)
    return analysis


def _locked(analysis: Analysis) -> Analysis:
    return Analysis.objects.select_for_update().get(pk=analysis.pk)


def _check_editable(analysis: Analysis) -> None:
    if not analysis.is_editable:
        raise RiskError(
            _("Only a draft can be changed. Make a new revision, or send it back to draft.")
        )


@transaction.atomic
def analysis_edit(*, analysis: Analysis, participants=None, meetings=None, **fields) -> Analysis:
    stored = _locked(analysis)
    _check_editable(stored)
    for name, value in fields.items():
        setattr(analysis, name, value)
    analysis.save(update_fields=list(fields) or None)
    _replace_rows(analysis, participants, meetings)
    _report_changed(analysis)
    return analysis


@transaction.atomic
def analysis_change_status(
    *, analysis: Analysis, to_status: str, changed_by, note: str = ""
) -> Analysis:
    stored = _locked(analysis)
    if not workflow.allowed(stored.status, to_status):
        raise RiskError(
            _("An analysis that is %(status)s cannot become %(to)s.")
            % {
                "status": stored.get_status_display().lower(),
                "to": Analysis.Status(to_status).label.lower(),
            }
        )
    analysis.status = to_status
    fields = ["status"]
    if stored.status == Analysis.Status.DRAFT:
        # Only a draft is scored: a round still open when the draft goes on takes no more votes.
        stored.scoring_rounds.filter(closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_by=changed_by
        )
    if to_status == Analysis.Status.APPROVED:
        analysis.approved_by = changed_by
        analysis.approved_at = timezone.now()
        fields += ["approved_by", "approved_at"]
        for older in (
            Analysis.objects.select_for_update()
            .filter(series=analysis.series, status=Analysis.Status.APPROVED)
            .exclude(pk=analysis.pk)
        ):
            analysis_change_status(
                analysis=older,
                to_status=Analysis.Status.SUPERSEDED,
                changed_by=changed_by,
                note=_("Superseded by revision %(revision)d.") % {"revision": analysis.revision},
            )
    analysis.save(update_fields=fields)
    StatusChange.objects.create(
        analysis=analysis,
        from_status=stored.status,
        to_status=to_status,
        changed_by=changed_by,
        note=note,
    )
    _report_changed(analysis)
    if to_status == Analysis.Status.APPROVED:
        # For the municipality's archive (ADR 0033), committed with the approval.
        events.emit(
            events.ANALYSIS_APPROVED, analysis, municipality_id=analysis.project.municipality_id
        )
    return analysis


@transaction.atomic
def analysis_revise(*, analysis: Analysis, created_by) -> Analysis:
    """A new draft revision that copies every event and its scores. Measures stay with the
    events they were made for; the copies point at them through `previous`."""
    stored = _locked(analysis)
    newest = Analysis.objects.filter(series=stored.series).aggregate(Max("revision"))
    if newest["revision__max"] != stored.revision:
        raise RiskError(_("Only the newest revision can be revised."))
    if stored.status not in workflow.REVISABLE:
        raise RiskError(_("This revision is still a draft; change it instead."))
    revision = Analysis.objects.create(
        project=stored.project,
        scale_version=stored.scale_version,
        series=stored.series,
        revision=stored.revision + 1,
        previous=stored,
        title=stored.title,
        purpose=stored.purpose,
        method=stored.method,
        area_description=stored.area_description,
        next_revision_on=stored.next_revision_on,
        created_by=created_by,
    )
    Participant.objects.bulk_create(
        Participant(analysis=revision, kind=p.kind, name=p.name, represents=p.represents)
        for p in stored.participants.all()
    )
    events = list(stored.events.prefetch_related("scores"))
    skip = {"id", "analysis", "previous", "created_at", "changed_at"}
    copies = []
    for event in events:
        copy = UnwantedEvent(analysis=revision, previous=event)
        for field in UnwantedEvent._meta.concrete_fields:
            if field.name not in skip:
                setattr(copy, field.attname, getattr(event, field.attname))
        copies.append(copy)
    UnwantedEvent.objects.bulk_create(copies)
    copies = {c.lineage: c for c in UnwantedEvent.objects.filter(analysis=revision)}
    ConsequenceScore.objects.bulk_create(
        ConsequenceScore(
            event=copies[event.lineage],
            dimension_id=score.dimension_id,
            stage=score.stage,
            level=score.level,
            justification=score.justification,
        )
        for event in events
        for score in event.scores.all()
    )
    StatusChange.objects.create(
        analysis=revision,
        to_status=revision.status,
        changed_by=created_by,
        note=_("Copied from revision %(revision)d.") % {"revision": stored.revision},
    )
    _report_changed(revision)  # the older revisions' reports list it: their fingerprint
    return revision


# Unwanted events ---------------------------------------------------------------------------

EVENT_TEXT_FIELDS = [
    "title",
    "scenario",
    "causes",
    "existing_barriers",
    "vulnerability",
    "knock_on_effects",
]


@transaction.atomic
def event_create(*, analysis: Analysis, title: str, **fields) -> UnwantedEvent:
    stored = _locked(analysis)
    _check_editable(stored)
    number = (stored.events.aggregate(Max("number"))["number__max"] or 0) + 1
    event = UnwantedEvent.objects.create(analysis=stored, number=number, title=title, **fields)
    _report_changed(stored)
    return event


@transaction.atomic
def event_edit(*, event: UnwantedEvent, **fields) -> UnwantedEvent:
    _check_editable(_locked(event.analysis))
    for name, value in fields.items():
        setattr(event, name, value)
    event.changed_at = timezone.now()
    event.save(update_fields=[*fields, "changed_at"])
    _report_changed(event.analysis)
    return event


@transaction.atomic
def event_delete(*, event: UnwantedEvent) -> None:
    _check_editable(_locked(event.analysis))
    event.delete()
    _report_changed(event.analysis)


def _check_level(value, size: int, what: str) -> None:
    if value is not None and not (isinstance(value, int) and 1 <= value <= size):
        raise RiskError(
            _("%(what)s must be a level from 1 to %(size)d on this analysis's scale.")
            % {"what": what, "size": size}
        )


@transaction.atomic
def event_score(
    *,
    event: UnwantedEvent,
    stage: str,
    probability: int | None,
    probability_justification: str = "",
    consequences: dict[int, tuple[int | None, str]],
    **assessment,
) -> UnwantedEvent:
    """Score an event before (`stage="before"`) or after measures (`"after"`) on its
    analysis's scale version. `consequences` maps dimension ids to (level, justification);
    a level of None removes the score. `assessment` sets the strength of knowledge,
    sensitivity and acceptance fields."""
    analysis = _locked(event.analysis)
    _check_editable(analysis)
    version = analysis.scale_version
    dimensions = {d.pk: d for d in version.dimensions.all()}
    _check_level(probability, version.size, _("The probability"))
    for dimension_id, (level, _text) in consequences.items():
        if dimension_id not in dimensions:
            raise RiskError(_("That consequence dimension is not on this analysis's scale."))
        _check_level(level, version.size, dimensions[dimension_id].name)
    if stage == ConsequenceScore.Stage.BEFORE:
        event.probability = probability
        event.probability_justification = probability_justification
        fields = ["probability", "probability_justification"]
    elif stage == ConsequenceScore.Stage.AFTER:
        event.residual_probability = probability
        event.residual_probability_justification = probability_justification
        fields = ["residual_probability", "residual_probability_justification"]
    else:
        raise RiskError(_("Unknown stage."))
    for name, value in assessment.items():
        setattr(event, name, value)
    event.changed_at = timezone.now()
    event.save(update_fields=[*fields, *assessment, "changed_at"])
    for dimension_id, (level, justification) in consequences.items():
        if level is None:
            event.scores.filter(dimension_id=dimension_id, stage=stage).delete()
        else:
            ConsequenceScore.objects.update_or_create(
                event=event,
                dimension_id=dimension_id,
                stage=stage,
                defaults={"level": level, "justification": justification},
            )
    _report_changed(analysis)
    return event


def event_measure_add(
    *, event: UnwantedEvent, created_by, title: str, kind: str, owner_unit, **fields
) -> Measure:
    """A probability- or consequence-reducing measure for the event, in the project's
    action plan (through plans.services, like every measure)."""
    _check_editable(event.analysis)
    if kind not in (Measure.Kind.PROBABILITY, Measure.Kind.CONSEQUENCE):
        raise RiskError(_("Choose whether the measure reduces probability or consequence."))
    try:
        return plan_services.measure_create(
            project=event.analysis.project,
            created_by=created_by,
            title=title,
            kind=kind,
            owner_unit=owner_unit,
            unwanted_event=event,
            **fields,
        )
    except plan_services.PlanError as exc:
        raise RiskError(str(exc)) from exc


# Scoring rounds (live scoring in the meeting, see docs/risk.md) ---------------------------

# Codes avoid letters and digits that are easy to mix up when typed from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def round_new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not ScoringRound.objects.filter(code=code).exists():
            return code


def device_key(device_id: str) -> str:
    """What a vote stores of a device: a keyed hash of the random id in its cookie."""
    return salted_hmac("naboskap.risk.vote", device_id, algorithm="sha256").hexdigest()


@transaction.atomic
def round_open(*, analysis: Analysis, events, opened_by) -> ScoringRound:
    """A new round for `events` of a draft analysis; one open round per analysis."""
    stored = _locked(analysis)
    _check_editable(stored)
    events = list(events)
    if not events:
        raise RiskError(_("Choose at least one event to score."))
    if any(event.analysis_id != stored.pk for event in events):
        raise RiskError(_("Every event must belong to this analysis."))
    if stored.scoring_rounds.filter(closed_at__isnull=True).exists():
        raise RiskError(_("A scoring round is already open for this analysis. Close it first."))
    scoring_round = ScoringRound.objects.create(
        analysis=stored, code=round_new_code(), opened_by=opened_by
    )
    RoundEvent.objects.bulk_create(RoundEvent(round=scoring_round, event=e) for e in events)
    return scoring_round


def _locked_round(scoring_round: ScoringRound) -> ScoringRound:
    return ScoringRound.objects.select_for_update().get(pk=scoring_round.pk)


@transaction.atomic
def round_close(*, scoring_round: ScoringRound, closed_by) -> ScoringRound:
    stored = _locked_round(scoring_round)
    if not stored.is_open:
        raise RiskError(_("This scoring round is already closed."))
    scoring_round.closed_at = timezone.now()
    scoring_round.closed_by = closed_by
    scoring_round.save(update_fields=["closed_at", "closed_by"])
    return scoring_round


def vote_errors(version: ScaleVersion, probability, consequences: dict) -> list[str]:
    """What is wrong with a vote on the scale version, or []. `None` (or a dimension left
    out) is "don't know": a participant may answer that for anything."""
    errors = []
    size = version.size
    if probability is not None and not (isinstance(probability, int) and 1 <= probability <= size):
        errors.append(_("The probability must be a level from 1 to %(size)d.") % {"size": size})
    dimensions = {d.key: d for d in version.dimensions.all()}
    if set(consequences) - set(dimensions):
        errors.append(_("That consequence dimension is not on this analysis's scale."))
    for key, dimension in dimensions.items():
        level = consequences.get(key)
        if level is not None and not (isinstance(level, int) and 1 <= level <= size):
            errors.append(
                _("%(name)s must be a level from 1 to %(size)d.")
                % {"name": dimension.name, "size": size}
            )
    return errors


@transaction.atomic
def vote_cast(
    *, scoring_round: ScoringRound, event: UnwantedEvent, device: str, probability, consequences
) -> tuple[Vote, bool]:
    """A device's score of an event in an open round. A second vote from the same device
    replaces its first; returns the vote and whether it replaced one. `probability` or a
    consequence of `None` is "don't know": stored as no score for it."""
    # The round locked (not its analysis), with the scale version the vote is checked against.
    stored = (
        ScoringRound.objects.select_for_update(of=("self",))
        .select_related("analysis__scale_version")
        .get(pk=scoring_round.pk)
    )
    if not stored.is_open:
        raise RiskError(_("This scoring round is closed. Votes are no longer taken."))
    if not RoundEvent.objects.filter(round=stored, event=event).exists():
        raise RiskError(_("That event is not in this scoring round."))
    consequences = {key: level for key, level in consequences.items() if level is not None}
    errors = vote_errors(stored.analysis.scale_version, probability, consequences)
    if errors:
        raise RiskError(*errors)
    vote, created = Vote.objects.update_or_create(
        round=stored,
        event=event,
        device=device,
        defaults={
            "probability": probability,
            "consequences": consequences,
            "cast_at": timezone.now(),
        },
    )
    return vote, not created


@transaction.atomic
def round_settle_event(
    *,
    scoring_round: ScoringRound,
    event: UnwantedEvent,
    settled_by,
    probability: int,
    consequences: dict[int, int | None],
    knowledge_agreement: str = "",
    spread: dict,
) -> UnwantedEvent:
    """Settle an event's values after a closed round, through `event_score` (so history,
    revisions and checks stay the same), keeping the round's spread on the event."""
    stored = _locked_round(scoring_round)
    if stored.is_open:
        raise RiskError(_("Close the round before settling the values."))
    item = RoundEvent.objects.select_for_update().filter(round=stored, event=event).first()
    if item is None:
        raise RiskError(_("That event is not in this scoring round."))
    justifications = {
        s.dimension_id: s.justification
        for s in event.scores.filter(stage=ConsequenceScore.Stage.BEFORE)
    }
    event_score(
        event=event,
        stage=ConsequenceScore.Stage.BEFORE,
        probability=probability,
        probability_justification=event.probability_justification,
        consequences={
            dimension_id: (level, justifications.get(dimension_id, ""))
            for dimension_id, level in consequences.items()
        },
        knowledge_agreement=knowledge_agreement,
        settled_spread=spread,
    )
    item.settled_at = timezone.now()
    item.settled_by = settled_by
    item.save(update_fields=["settled_at", "settled_by"])
    return event


# The published summary: a snapshot of an approved analysis for the project page.


@transaction.atomic
def summary_publish(
    *, analysis: Analysis, published_by, descriptions: dict, organisations: list[str]
) -> PublishedSummary:
    """Publish (or replace) the public summary of an approved analysis. A summary already
    published for the series, from this or an older revision, is replaced; it keeps the date
    it was first published, so the page can say when it was updated."""
    stored = _locked(analysis)
    if stored.status != Analysis.Status.APPROVED:
        raise RiskError(_("Only an approved analysis can be published."))
    content = summary_content(stored, descriptions=descriptions, organisations=organisations)
    now = timezone.now()
    summary = PublishedSummary.objects.select_for_update().filter(series=stored.series).first()
    if summary is None:
        summary = PublishedSummary(
            project_id=stored.project_id, series=stored.series, first_published_at=now
        )
    summary.analysis = stored
    summary.content = content
    summary.published_at = now
    summary.published_by = published_by
    summary.full_clean()
    summary.save()
    project_touch(project=stored.project)
    return summary


@transaction.atomic
def summary_unpublish(*, analysis: Analysis) -> None:
    """Take the series' summary off the public pages."""
    deleted, _rows = PublishedSummary.objects.filter(series=analysis.series).delete()
    if deleted:
        project_touch(project=analysis.project)
