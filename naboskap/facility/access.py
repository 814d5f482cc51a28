"""How staff views open rounds, observations and incidents: 404 outside the user's reach
(another municipality, another project), 403 within it."""

import rules
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from naboskap.facility.models import Incident, Observation, Round
from naboskap.projects.access import get_project_for_user


def get_round_for_user(user, pk: int, round_pk: int) -> Round:
    project = get_project_for_user(user, pk, "facility.walk_rounds")
    found = get_object_or_404(
        Round.objects.select_related("started_by"), pk=round_pk, project=project
    )
    found.project = project
    return found


WALK = "facility.walk_rounds"


def get_observation_for_user(user, pk: int, observation_pk: int, perm: str = WALK) -> Observation:
    """An observation of project `pk`; 403 when the user walks the rounds but lacks `perm` on
    the project (`plans.change_plan` to make a measure of it)."""
    project = get_project_for_user(user, pk, WALK)
    observation = get_object_or_404(
        Observation.objects.select_related("round", "concern", "created_by"),
        pk=observation_pk,
        project=project,
    )
    observation.project = project
    if perm != WALK and not rules.has_perm(perm, user, project):
        raise PermissionDenied
    return observation


def get_incident_for_user(user, pk: int, incident_pk: int, perm="facility.view_incidents"):
    project = get_project_for_user(user, pk, perm)
    incident = get_object_or_404(
        Incident.objects.select_related("created_by"), pk=incident_pk, project=project
    )
    incident.project = project
    return incident
