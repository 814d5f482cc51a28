"""Operations on rounds, observations and the incident log. Views and the demo call these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns import services as concerns
from naboskap.concerns.models import Category as ConcernCategory
from naboskap.concerns.models import Concern
from naboskap.concerns.photos import CleanPhoto, clean_photos
from naboskap.facility import workflow
from naboskap.facility.models import (
    Category,
    FollowUp,
    Incident,
    IncidentStatusChange,
    Observation,
    Round,
)
from naboskap.lib.errors import DomainError
from naboskap.plans import services as plans
from naboskap.plans.models import Measure
from naboskap.projects.models import Project

Status = Incident.Status


class FacilityError(DomainError):
    """An operation the state of the round, observation or incident does not allow."""


@transaction.atomic
def round_start(*, project: Project, by) -> tuple[Round, bool]:
    """Start a round, or return the round this person already has under way in the project
    (a double tap starts one round). Returns (round, created)."""
    under_way = (
        Round.objects.select_for_update()
        .filter(project=project, started_by=by, ended_at__isnull=True)
        .first()
    )
    if under_way is not None:
        return under_way, False
    return Round.objects.create(project=project, started_by=by), True


@transaction.atomic
def round_end(*, round: Round, by, note: str = "") -> Round:
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if locked.ended_at is not None:
        raise FacilityError(_("This round has already ended."))
    locked.ended_at = max(timezone.now(), locked.started_at)
    locked.ended_by = by
    locked.note = note
    locked.save(update_fields=["ended_at", "ended_by", "note"])
    round.ended_at, round.ended_by, round.note = locked.ended_at, by, note
    return locked


def _open_round(round: Round) -> Round:
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if locked.ended_at is not None:
        raise FacilityError(_("This round has ended. Start a new round to log what you see."))
    return locked


@transaction.atomic
def observation_log(
    *,
    round: Round,
    by,
    category: str,
    text: str,
    place: str = "",
    occurred_at=None,
    photo: CleanPhoto | None = None,
) -> Observation:
    """Log what was seen on an open round. `photo` is an upload or a photo the form has
    already checked: it is stored re-encoded, without EXIF, GPS or other metadata."""
    locked = _open_round(round)
    cleaned = clean_photos([photo])[0] if photo is not None else None
    observation = Observation(
        project_id=locked.project_id,
        round=locked,
        occurred_at=occurred_at or timezone.now(),
        category=category,
        place=place,
        text=text,
        created_by=by,
    )
    if cleaned is None:
        observation.save()
        return observation
    observation.photo_content_type = cleaned.content_type
    observation.photo.save(f"photo.{cleaned.extension}", ContentFile(cleaned.data), save=False)
    try:
        observation.save()
    except BaseException:
        observation.photo.delete(save=False)
        raise
    return observation


@transaction.atomic
def observation_all_calm(*, round: Round, by, place: str = "") -> Observation:
    """Record that all was calm (so quiet rounds count too)."""
    locked = _open_round(round)
    return Observation.objects.create(
        project_id=locked.project_id,
        round=locked,
        occurred_at=timezone.now(),
        all_calm=True,
        place=place,
        created_by=by,
    )


def _locked_observation(observation: Observation) -> Observation:
    locked = Observation.objects.select_for_update().get(pk=observation.pk)
    if locked.all_calm:
        raise FacilityError(_("“All calm” is not something to follow up."))
    return locked


@transaction.atomic
def observation_to_concern(*, observation: Observation, by) -> Concern:
    """Turn an observation into a concern in the project's inbox (once): routed and with
    deadlines like any other, the photo (if any) attached. The concern has no reporter
    contact: the caretaker follows it up as staff."""
    locked = _locked_observation(observation)
    if locked.concern_id is not None:
        raise FacilityError(_("This observation is already a concern."))
    project = Project.objects.select_related("municipality").get(pk=locked.project_id)
    concerns.categories_ensure_defaults(municipality=project.municipality)
    categories = ConcernCategory.objects.filter(municipality=project.municipality)
    category = (
        categories.filter(code=locked.category).first()
        or categories.filter(code=Category.OTHER).first()
    )
    if category is None:
        raise FacilityError(_("The municipality has no concern category for this."))
    photos = []
    if locked.photo:
        with locked.photo.open("rb") as stored:
            try:
                photos = clean_photos([stored])
            except ValidationError as error:
                # A photo stored before today's pixel budget may be too large to check again.
                raise FacilityError(" ".join(error.messages)) from None
    concern, _created = concerns.concern_submit(
        project=project,
        category=category,
        idempotency_key=f"facility-observation-{locked.pk}",
        description=locked.text or str(locked),
        location=locked.place,
        occurred_at=locked.occurred_at,
        preferred_channel=Concern.Channel.NONE,
        language=project.municipality.default_language,
        photos=photos,
        intake_channel=Concern.IntakeChannel.CARETAKER,
        registered_by=by,
    )
    locked.concern = concern
    locked.save(update_fields=["concern"])
    observation.concern = concern
    return concern


@transaction.atomic
def observation_to_measure(
    *, observation: Observation, by, title: str, owner_unit, due_date=None
) -> Measure:
    """A measure on the project's plan with this observation as its source (once)."""
    locked = _locked_observation(observation)
    if Measure.objects.filter(observation=locked).exists():
        raise FacilityError(_("This observation already has a measure."))
    project = Project.objects.select_related("municipality").get(pk=locked.project_id)
    try:
        return plans.measure_create(
            project=project,
            created_by=by,
            observation=locked,
            title=title,
            owner_unit=owner_unit,
            due_date=due_date,
        )
    except plans.PlanError as error:
        raise FacilityError(str(error)) from error


@transaction.atomic
def incident_log(
    *,
    project: Project,
    by,
    category: str,
    description: str,
    occurred_at=None,
    place: str = "",
    affects_neighbours: bool = True,
) -> Incident:
    incident = Incident.objects.create(
        project=project,
        occurred_at=occurred_at or timezone.now(),
        category=category,
        description=description,
        place=place,
        affects_neighbours=affects_neighbours,
        created_by=by,
    )
    IncidentStatusChange.objects.create(incident=incident, to_status=Status.OPEN, changed_by=by)
    return incident


def _not_allowed(incident: Incident, to_status: str) -> FacilityError:
    return FacilityError(
        _("The incident cannot go from “%(from)s” to “%(to)s”.")
        % {
            "from": incident.get_status_display(),
            "to": dict(Status.choices).get(to_status, to_status),
        }
    )


def _change_status(incident: Incident, to_status: str, by, note: str = "") -> None:
    """The one place an incident's status changes: checked against the workflow table."""
    if not workflow.allowed(incident.status, to_status):
        raise _not_allowed(incident, to_status)
    IncidentStatusChange.objects.create(
        incident=incident,
        from_status=incident.status,
        to_status=to_status,
        changed_by=by,
        note=note,
    )
    incident.status = to_status
    incident.save(update_fields=["status"])


@transaction.atomic
def follow_up_add(*, incident: Incident, by, text: str, close: bool = False) -> FollowUp:
    """Record what was done. The first follow-up marks an open incident followed up;
    `close` closes it too."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status == Status.CLOSED:
        raise FacilityError(_("The incident is closed. Reopen it to add a follow-up."))
    follow_up = FollowUp.objects.create(incident=locked, text=text, created_by=by)
    if locked.status in workflow.BY_FOLLOW_UP:
        _change_status(locked, workflow.BY_FOLLOW_UP[locked.status], by)
    if close:
        _change_status(locked, Status.CLOSED, by)
    incident.status = locked.status
    return follow_up


@transaction.atomic
def incident_set_status(*, incident: Incident, to_status: str, by, note: str = "") -> None:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if to_status not in workflow.BY_HAND.get(locked.status, set()):
        raise _not_allowed(locked, to_status)
    if to_status == Status.CLOSED and not locked.follow_ups.exists():
        raise FacilityError(_("Write a follow-up before closing the incident."))
    if to_status == Status.OPEN and not note.strip():
        raise FacilityError(_("Say why the incident is reopened."))
    _change_status(locked, to_status, by, note)
    incident.status = locked.status
