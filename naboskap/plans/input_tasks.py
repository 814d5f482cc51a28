"""Background work for inputs: telling the project's people that a suggestion is waiting.

The email carries the project and a link, never what the neighbour wrote or their address:
the text stays in Naboskap, where access is controlled and logged.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from naboskap.tenancy.models import Role


def suggestion_recipients(project) -> list[str]:
    """The project's dialogue owner, else the municipality's coordinators."""
    owner = project.dialogue_owner
    if owner is not None and owner.is_active and owner.email:
        return [owner.email]
    users = get_user_model().objects.filter(
        is_active=True,
        memberships__municipality_id=project.municipality_id,
        memberships__role=Role.COORDINATOR,
    )
    return sorted({u.email for u in users if u.email})


@task()
def input_submitted(input_id: int) -> None:
    from naboskap.plans.models import Input

    input = (
        Input.objects.select_related("project__municipality", "project__dialogue_owner")
        .filter(pk=input_id, moderation=Input.Moderation.PENDING)
        .first()
    )
    if input is None:  # already handled (or deleted): nothing to tell
        return
    project = input.project
    recipients = suggestion_recipients(project)
    if not recipients:
        return
    queue = reverse("inputs:list", args=[project.pk]) + "?moderation=pending"
    context = {
        "project": project,
        "input_url": settings.SITE_URL + input.get_absolute_url(),
        "queue_url": settings.SITE_URL + queue,
    }
    with translation.override(project.municipality.default_language):
        subject = render_to_string("plans/inputs/email/submitted_subject.txt", context).strip()
        body = render_to_string("plans/inputs/email/submitted_body.txt", context)
    EmailMessage(subject, body, to=recipients).send()
