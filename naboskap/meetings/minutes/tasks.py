"""Emailing draft minutes to a body's members for comments (run by `manage.py db_worker`).

The version is claimed before anything goes out (`Minutes.comments_emailed_version`), so a
second worker or a re-run sends nothing twice.
"""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from naboskap.lib.pdf import render_pdf
from naboskap.meetings.models import Minutes
from naboskap.meetings.selectors import active_members_filter, minutes_content
from naboskap.outbox import services as outbox

logger = logging.getLogger(__name__)


def comment_recipients(meeting) -> QuerySet:
    """The body's members today who have an email address."""
    today = timezone.localdate()
    return (
        meeting.body.members.filter(active_members_filter(today))
        .exclude(email="")
        .order_by("name", "pk")
    )


@task()
def send_minutes_for_comments(minutes_id: int, version: int, reply_to: str = "") -> int:
    """Email the draft minutes (their text, with a PDF) to every member with an address;
    answers go to `reply_to`. Returns how many emails went out."""
    minutes = (
        Minutes.objects.select_related("meeting__project__municipality", "meeting__body")
        .filter(pk=minutes_id, version=version, status=Minutes.Status.COMMENTS)
        .first()
    )
    if minutes is None:
        return 0
    claimed = (
        Minutes.objects.filter(pk=minutes_id, version=version)
        .exclude(comments_emailed_version=version)
        .update(comments_emailed_version=version)
    )
    if not claimed:
        return 0
    meeting = minutes.meeting
    project = meeting.project
    language = project.municipality.default_language
    content = minutes_content(meeting)
    context = {
        "minutes": minutes,
        "meeting": meeting,
        "project": project,
        "content": content,
        "draft": True,
        "version_number": version,
        "reply_to": reply_to,
    }
    with translation.override(language):
        subject = render_to_string("meetings/email/minutes_comments_subject.txt", context)
        body = render_to_string("meetings/email/minutes_comments_body.txt", context)
        pdf = render_pdf("meetings/minutes_pdf.html", context)
    # One email per member (stored once with the PDF, which is kept once for all of them).
    return outbox.queue(
        key=f"minutes-comments:{minutes_id}:{version}",
        to=[member.email for member in comment_recipients(meeting)],
        subject=subject,
        body=body,
        kind="minutes_comments",
        municipality=project.municipality,
        reply_to=reply_to,
        attachments=[outbox.File(f"referat-utkast-{meeting.pk}-v{version}.pdf", pdf)],
    )
