"""Background work for inputs: telling the project's people that a suggestion is waiting.

The email carries the project and a link, never what the neighbour wrote or their address:
the text stays in Naboskap, where access is controlled and logged.
"""

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from naboskap.outbox import services as outbox
from naboskap.plans.models import Input
from naboskap.tenancy.models import Role
from naboskap.tenancy.selectors import recipients_by_language


def suggestion_recipients(project) -> list[str]:
    """The addresses of `suggestion_recipient_users`."""
    return sorted({user.email for user in suggestion_recipient_users(project)})


def suggestion_recipient_users(project) -> list:
    """The project's dialogue owner, else its coordinators (municipality-wide or of this
    project). Only people who may read the suggestion (`plans.view_raw_input`) are picked:
    never a coordinator scoped to another project, never someone without a role here."""
    owner = project.dialogue_owner
    if owner is not None and _handles(owner, project):
        return [owner]
    users = (
        get_user_model()
        .objects.filter(
            Q(memberships__project__isnull=True) | Q(memberships__project=project),
            is_active=True,
            memberships__municipality_id=project.municipality_id,
            memberships__role=Role.COORDINATOR,
        )
        .select_related("naboskap_profile")
        .distinct()
    )
    return [user for user in users if _handles(user, project)]


def _handles(user, project) -> bool:
    return bool(
        user.is_active and user.email and rules.has_perm("plans.view_raw_input", user, project)
    )


@task()
def input_submitted(input_id: int) -> None:
    input = (
        Input.objects.select_related("project__municipality", "project__dialogue_owner")
        .filter(pk=input_id, moderation=Input.Moderation.PENDING)
        .first()
    )
    if input is None:  # already handled (or deleted): nothing to tell
        return
    project = input.project
    # Each person in their own language, else the municipality's.
    groups = recipients_by_language(suggestion_recipient_users(project), project.municipality)
    if not groups:
        return
    queue = reverse("inputs:list", args=[project.pk]) + "?moderation=pending"
    email_context = {
        "project": project,
        "input_url": settings.SITE_URL + input.get_absolute_url(),
        "queue_url": settings.SITE_URL + queue,
    }
    for language, recipients in sorted(groups.items()):
        with translation.override(language):
            subject = render_to_string("plans/inputs/email/submitted_subject.txt", email_context)
            body = render_to_string("plans/inputs/email/submitted_body.txt", email_context)
        outbox.queue(
            key=f"input-submitted:{input_id}:{language}",
            to=recipients,
            subject=subject,
            body=body,
            kind="suggestion",
            municipality=project.municipality,
        )
