"""Background work for status reports, run by `manage.py db_worker`: rendering a report's
PDF once and emailing politicians a link to a new report (a schedule's own runs are in
`schedules`).

The email carries the report's title and a link to the staff page, never its content: the
politicians log in to read it. It is claimed first (`StatusReport.emailed_at`), so a second
worker or a re-run sends nothing twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from naboskap.documents.services import documents_changed
from naboskap.outbox import services as outbox
from naboskap.reports.documents import STATUS_REPORT
from naboskap.reports.models import StatusReport
from naboskap.tenancy.models import Membership, Role
from naboskap.tenancy.selectors import recipients_by_language

logger = logging.getLogger(__name__)


def politicians(report):
    """The politicians who read this report (see `politician_emails`), with profiles."""
    memberships = Membership.objects.filter(
        role=Role.POLITICIAN, municipality_id=report.municipality_id, user__is_active=True
    ).exclude(user__email="")
    if report.project_id:
        memberships = memberships.filter(Q(project__isnull=True) | Q(project_id=report.project_id))
    else:
        memberships = memberships.filter(project__isnull=True)
    users = get_user_model().objects.filter(pk__in=memberships.values("user_id"))
    return users.select_related("naboskap_profile").order_by("email", "pk")


def politician_emails(report) -> list[str]:
    """The addresses of the politicians who read this report: those with the politician role
    across the report's municipality and, for a project's report, those given the role in
    that project. Nobody else gets it."""
    return sorted({user.email for user in politicians(report)})


@task()
def render_report_pdf(report_id: int) -> None:
    """Queued for reports made before their PDFs were stored documents: one now."""
    report = StatusReport.objects.filter(pk=report_id).first()
    if report is not None:
        with transaction.atomic():
            documents_changed(kind=STATUS_REPORT, obj=report)


@task()
def email_report(report_id: int) -> int:
    """Email each politician of the report's scope a link to it. Returns how many emails
    went out."""
    claimed = StatusReport.objects.filter(pk=report_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return 0
    report = StatusReport.objects.select_related("municipality", "project").get(pk=report_id)
    context = {"report": report, "url": settings.SITE_URL + report.get_absolute_url()}
    sent = 0
    # Each politician in their own language, else the municipality's (the report itself
    # stays in the language it was made in); one email each, so no politician sees the
    # others' addresses.
    groups = recipients_by_language(politicians(report), report.municipality)
    for language, addresses in sorted(groups.items()):
        with translation.override(language):
            subject = render_to_string("reports/email/report_subject.txt", context)
            body = render_to_string("reports/email/report_body.txt", context)
        sent += outbox.queue(
            key=f"status-report:{report_id}",
            to=addresses,
            subject=subject,
            body=body,
            kind="status_report",
            municipality=report.municipality,
        )
    return sent
