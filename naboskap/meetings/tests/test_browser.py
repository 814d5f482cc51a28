"""The council and meeting pages in headless Chromium, in bokmål and nynorsk: axe-core finds
no WCAG 2.1 A/AA violations, `<html lang>` is right, nothing scrolls sideways at 320 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.meetings import services
from naboskap.meetings.models import Meeting
from naboskap.meetings.tests.factories import add_members, invitation, make_body, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meeting_pages(world, visitor):
    project = world.project
    body = make_body(project, members=[])  # no chair: the health warnings show
    add_members(body, 3)
    meeting = make_meeting(project, body=body, is_public=True, title="Dialogmøte")
    services.invitations_send(meeting=meeting, members=body.members.all())
    invited = invitation(meeting, email="nabo@example.org")
    services.invitation_mark_bounced(invitation=invited, note="550 User unknown")
    passed = invitation(make_meeting(project, title="Forrige møte"), email="gammel@example.org")
    starts = timezone.now() - timedelta(days=3)
    Meeting.objects.filter(pk=passed.meeting_id).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )

    visitor.open(passed.get_rsvp_url(), status=410)
    page = visitor.open(invited.get_rsvp_url())
    page.get_by_role("button", name="Maybe").or_(page.locator("button[value=maybe]")).first.click()
    visitor.audit()
    visitor.open(project.get_public_url())

    visitor.login(world.users["coordinator"])
    visitor.open(reverse("projects:detail", args=[project.pk]))
    visitor.open(reverse("meetings:body_list", args=[project.pk]))
    visitor.open(body.get_absolute_url())
    visitor.open(reverse("meetings:member_create", args=[project.pk, body.pk]))
    visitor.open(reverse("meetings:meeting_list", args=[project.pk]))
    visitor.open(meeting.get_absolute_url())
    visitor.open(reverse("meetings:meeting_invite", args=[project.pk, meeting.pk]))
    page = visitor.open(reverse("meetings:meeting_create", args=[project.pk]))
    page.locator("form.form-stack button[type=submit]").click()  # empty: errors shown
    visitor.audit()
    visitor.assert_no_problems()
