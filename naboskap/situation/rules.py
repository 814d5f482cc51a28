"""Who sees the situation picture and who signs the shared assessment.

The picture and the assessments are between the municipality and the police: the
municipality's administrators and coordinators (municipality-wide or for the project), the
project's dialogue owner, and the police liaison. Everyone else who reaches the project
(case handlers, facility staff, caretakers, politicians) gets 403: facility staff and
caretakers feed the picture with their logs but are not a party to the assessment, and the
political level is informed through the status report, not the weekly police picture.
Users of another municipality get 404 (projects.access).

The picture never shows who reported anything, nor what they wrote: counts by week and
category only. Each party signs for itself: administrators, coordinators and the dialogue
owner for the municipality, the police liaison for the police.
"""

import rules

from naboskap.projects.rules import is_dialogue_owner, manages_project, reaches_project
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import roles_for


@rules.predicate
def is_police_liaison(user, project) -> bool:
    return Role.POLICE in roles_for(user, project.municipality_id, project.pk)


speaks_for_municipality = reaches_project & (manages_project | is_dialogue_owner)
speaks_for_police = reaches_project & is_police_liaison

rules.add_perm("situation.view_picture", speaks_for_municipality | speaks_for_police)
rules.add_perm("situation.write_assessment", speaks_for_municipality | speaks_for_police)
rules.add_perm("situation.sign_for_municipality", speaks_for_municipality)
rules.add_perm("situation.sign_for_police", speaks_for_police)
