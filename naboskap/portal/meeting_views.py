"""The public side of meetings: the invitee's RSVP page and the calendar feeds.

The RSVP link (`/svar/<token>/`) is the invitee's only key: no account. GET shows the meeting
and three buttons; only a POST records an answer, so mail scanners that follow links answer
nothing. The link takes answers until the meeting starts; using it again changes the answer.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.meetings import ical, selectors, services
from naboskap.meetings.forms import RsvpForm
from naboskap.meetings.models import Body, Invitation
from naboskap.portal.concern_views import private_page, write_limited
from naboskap.portal.views import current_municipality, get_public_project, public_read

RSVP_GROUP = "portal.meeting_rsvp"


def _invitation(request: HttpRequest, token: str) -> Invitation:
    municipality = current_municipality(request)
    invitation = (
        Invitation.objects.select_related("meeting__project")
        .filter(token=token, meeting__project__municipality=municipality)
        .first()
    )
    if invitation is None:
        raise Http404
    invitation.meeting.project.municipality = municipality  # already loaded
    return invitation


def _rsvp(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(request, token)
    meeting = invitation.meeting
    context = {"invitation": invitation, "meeting": meeting, "project": meeting.project}
    try:
        services.rsvp_check_open(meeting)
    except services.RsvpClosed as closed:
        context["closed"] = closed.messages[0]
        context["cancelled"] = closed.code == "cancelled"
        return render(request, "portal/meetings/rsvp_closed.html", context, status=410)
    form = RsvpForm(posted(request), initial={"response": invitation.response})
    if request.method == "POST" and form.is_valid():
        try:
            previous = services.rsvp_answer(
                invitation=invitation, response=form.cleaned_data["response"]
            )
        except services.RsvpClosed as closed:  # the meeting started while the page was open
            context["closed"] = closed.messages[0]
            return render(request, "portal/meetings/rsvp_closed.html", context, status=410)
        except ValidationError as error:
            show_error(request, error, form, field="response")
        else:
            answer = invitation.get_response_display()
            if previous in {Invitation.Response.NONE, invitation.response}:
                messages.success(
                    request, _("Thank you. Your answer: %(answer)s.") % {"answer": answer}
                )
            else:
                messages.success(
                    request,
                    _("Your answer is changed from %(before)s to %(answer)s.")
                    % {"before": Invitation.Response(previous).label, "answer": answer},
                )
            return redirect(invitation.get_rsvp_url())
    context["form"] = form
    return render(request, "portal/meetings/rsvp.html", context, status=form_status(form))


rsvp = private_page(write_limited(_rsvp, RSVP_GROUP))


@private_page
@public_read
def rsvp_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's calendar file, for those who got a letter or lost the email."""
    invitation = _invitation(request, token)
    url = request.build_absolute_uri(invitation.get_rsvp_url())
    return _calendar_response(ical.invitation_ics(invitation, url=url), "invitation.ics")


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_read
def project_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The public meetings of a public project, to subscribe to in a calendar app."""
    project = get_public_project(request, slug)
    meetings = selectors.public_feed_meetings(project)
    base = request.build_absolute_uri(project.get_public_url())
    content = ical.feed_ics(meetings, name=project.name, url_for=lambda m: base)
    return _calendar_response(content, f"{project.slug}.ics")


@private_page
@public_read
def body_feed(request: HttpRequest, token: str) -> HttpResponse:
    """All meetings of one body, for its members: the secret address is the key (staff show
    it on the body's page and can replace it)."""
    municipality = current_municipality(request)
    body = (
        Body.objects.select_related("project")
        .filter(feed_token=token, project__municipality=municipality)
        .first()
    )
    if body is None:
        raise Http404
    content = ical.feed_ics(selectors.body_feed_meetings(body), name=body.name)
    return _calendar_response(content, "naboraad.ics")


@public_read
def meeting_minutes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Published minutes of a public project: the last approved version only."""
    project = get_public_project(request, slug)
    minutes = selectors.public_minutes(project).filter(meeting_id=pk).first()
    if minutes is None:
        raise Http404
    version = minutes.versions.order_by("-version").first()
    context = {"project": project, "meeting": minutes.meeting, "version": version}
    return render(request, "portal/meetings/minutes.html", context)
