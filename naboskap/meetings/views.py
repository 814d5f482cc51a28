"""Staff pages for bodies and meetings, under /app/. Every view fetches through access.py."""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.http import form_status, posted
from naboskap.lib.pdf import render_pdf
from naboskap.meetings import selectors, services
from naboskap.meetings.access import (
    MANAGE,
    get_body_for_user,
    get_meeting_for_user,
    get_meetings_project_for_user,
)
from naboskap.meetings.forms import BodyForm, BounceForm, InviteForm, MeetingForm, MemberForm
from naboskap.meetings.models import Invitation, Member
from naboskap.tenancy.access import staff_required
from naboskap.tenancy.selectors import municipality_url

MEETINGS_ON_BODY_PAGE = 20


def _can_manage(request: HttpRequest, project) -> bool:
    return rules.has_perm(MANAGE, request.user, project)


def _form_page(request, form, *, project, title, back_url, body=None, meeting=None, intro=""):
    context = {
        "form": form,
        "project": project,
        "title": title,
        "back_url": back_url,
        "body": body,
        "meeting": meeting,
        "intro": intro,
    }
    return render(request, "meetings/form.html", context, status=form_status(form))


# Bodies ------------------------------------------------------------------------------------


@staff_required
def body_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk)
    bodies = [
        (body, selectors.council_health(body)) for body in selectors.bodies_with_health(project)
    ]
    context = {"project": project, "bodies": bodies, "can_manage": _can_manage(request, project)}
    return render(request, "meetings/body_list.html", context)


@staff_required
def body_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk, MANAGE)
    form = BodyForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        body = services.body_create(project=project, **form.cleaned_data)
        messages.success(request, _("The body was created. Add its members."))
        return redirect(body)
    back = reverse("meetings:body_list", args=[project.pk])
    return _form_page(request, form, project=project, title=_("New body"), back_url=back)


@staff_required
def body_detail(request: HttpRequest, pk: int, body_pk: int) -> HttpResponse:
    body = get_body_for_user(request.user, pk, body_pk)
    project = body.project
    body = selectors.bodies_with_health(project).get(pk=body.pk)
    body.project = project
    meetings = selectors.meetings_with_counts(body.meetings.all())[:MEETINGS_ON_BODY_PAGE]
    today = timezone.localdate()
    members = list(body.members.select_related("user").order_by("term_end", "name", "pk"))
    feed_path = reverse("portal:body_feed", args=[body.feed_token])
    context = {
        "project": project,
        "body": body,
        "warnings": selectors.council_health(body, today=today),
        "current": [m for m in members if m.is_active(today)],
        "former": [m for m in members if not m.is_active(today)],
        "meetings": meetings,
        "can_manage": _can_manage(request, project),
        "feed_url": municipality_url(project.municipality, feed_path),
        "today": today,
    }
    return render(request, "meetings/body_detail.html", context)


@staff_required
def body_edit(request: HttpRequest, pk: int, body_pk: int) -> HttpResponse:
    body = get_body_for_user(request.user, pk, body_pk, MANAGE)
    form = BodyForm(posted(request), instance=body, project=body.project)
    if request.method == "POST" and form.is_valid():
        services.body_edit(body=body, **form.cleaned_data)
        messages.success(request, _("The body was saved."))
        return redirect(body)
    return _form_page(
        request,
        form,
        project=body.project,
        body=body,
        title=_("Edit %(body)s") % {"body": body.name},
        back_url=body.get_absolute_url(),
    )


@require_POST
@staff_required
def body_feed_rotate(request: HttpRequest, pk: int, body_pk: int) -> HttpResponse:
    body = get_body_for_user(request.user, pk, body_pk, MANAGE)
    services.body_feed_rotate(body=body)
    messages.success(request, _("The calendar has a new address. The old one no longer works."))
    return redirect(body)


@staff_required
def member_edit(
    request: HttpRequest, pk: int, body_pk: int, member_pk: int | None = None
) -> HttpResponse:
    body = get_body_for_user(request.user, pk, body_pk, MANAGE)
    member = get_object_or_404(Member, pk=member_pk, body=body) if member_pk else None
    form = MemberForm(posted(request), instance=member, body=body)
    if request.method == "POST" and form.is_valid():
        services.member_save(body=body, member=form.instance)
        messages.success(request, _("The member was saved."))
        return redirect(body)
    title = _("Edit member") if member else _("Add a member")
    return _form_page(
        request,
        form,
        project=body.project,
        body=body,
        title=title,
        back_url=body.get_absolute_url(),
    )


@require_POST
@staff_required
def member_end_term(request: HttpRequest, pk: int, body_pk: int, member_pk: int) -> HttpResponse:
    body = get_body_for_user(request.user, pk, body_pk, MANAGE)
    member = get_object_or_404(Member, pk=member_pk, body=body)
    services.member_end_term(member=member)
    messages.success(request, _("The term of %(name)s has ended.") % {"name": member.name})
    return redirect(body)


# Meetings ----------------------------------------------------------------------------------


@staff_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk)
    now = timezone.now()
    meetings = selectors.meetings_with_counts(project.meetings.all())
    context = {
        "project": project,
        "upcoming": meetings.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        "past": meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:50],
        "can_manage": _can_manage(request, project),
    }
    return render(request, "meetings/meeting_list.html", context)


@staff_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk, MANAGE)
    organ = request.GET.get("organ", "")
    body = project.bodies.filter(pk=organ).first() if organ.isdigit() and len(organ) < 10 else None
    initial = {"body": body, "kind": "council", "invite_members": True} if body else {}
    form = MeetingForm(posted(request), project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite_members")
        meeting = services.meeting_create(project=project, created_by=request.user, **data)
        if invite:
            members = (
                data["body"]
                .members.filter(selectors.active_members_filter(timezone.localdate()))
                .select_related("body")
            )
            count = services.invitations_send(meeting=meeting, members=members)
            messages.success(
                request,
                _("The meeting was created and %(count)s invitations are on their way.")
                % {"count": count},
            )
        else:
            messages.success(request, _("The meeting was created."))
        return redirect(meeting)
    back = body.get_absolute_url() if body else reverse("meetings:meeting_list", args=[project.pk])
    return _form_page(
        request, form, project=project, body=body, title=_("New meeting"), back_url=back
    )


@staff_required
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk)
    invitations = list(meeting.invitations.select_related("member"))
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "invitations": invitations,
        "summary": selectors.invitation_summary(meeting),
        "letters": sum(1 for i in invitations if i.via == Invitation.Via.LETTER or i.is_bounced),
        "bounced": [i for i in invitations if i.is_bounced],
        "can_manage": _can_manage(request, meeting.project),
        "can_invite": not (meeting.is_cancelled or meeting.has_started),
    }
    return render(request, "meetings/meeting_detail.html", context)


@staff_required
def meeting_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    if meeting.is_cancelled:
        messages.error(request, _("This meeting is cancelled and can no longer be changed."))
        return redirect(meeting)
    form = MeetingForm(posted(request), instance=meeting, project=meeting.project)
    if request.method == "POST" and form.is_valid():
        before = meeting.sequence
        try:
            meeting = services.meeting_update(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:  # cancelled meanwhile
            messages.error(request, " ".join(error.messages))
            return redirect(meeting)
        if meeting.sequence != before and meeting.invitations.exists():
            messages.success(request, _("The meeting was saved. Everyone invited is told."))
        else:
            messages.success(request, _("The meeting was saved."))
        return redirect(meeting)
    return _form_page(
        request,
        form,
        project=meeting.project,
        meeting=meeting,
        title=_("Edit meeting"),
        back_url=meeting.get_absolute_url(),
    )


@require_POST
@staff_required
def meeting_cancel(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    try:
        services.meeting_cancel(meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is cancelled. Everyone invited is told."))
    return redirect(meeting)


@staff_required
def meeting_invite(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    form = InviteForm(posted(request), meeting=meeting)
    closed = None
    try:
        services.invitation_check_open(meeting)
    except ValidationError as error:
        closed = " ".join(error.messages)
    if request.method == "POST" and form.is_valid() and closed is None:
        count = services.invitations_send(
            meeting=meeting,
            members=form.cleaned_data["members"],
            people=form.cleaned_data["people"],
            subscribers=form.cleaned_data.get("subscribers", False),
        )
        messages.success(
            request, _("%(count)s new invitations are on their way.") % {"count": count}
        )
        return redirect(meeting)
    context = {"project": meeting.project, "meeting": meeting, "form": form, "closed": closed}
    status = 400 if (closed and request.method == "POST") else form_status(form)
    return render(request, "meetings/meeting_invite.html", context, status=status)


@require_POST
@staff_required
def invitation_bounce(request: HttpRequest, pk: int, meeting_pk: int, inv_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    invitation = get_object_or_404(Invitation, pk=inv_pk, meeting=meeting)
    if invitation.is_bounced:
        services.invitation_clear_bounce(invitation=invitation)
        messages.success(request, _("The address is marked as working again."))
    else:
        form = BounceForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.invitation_mark_bounced(invitation=invitation, note=note)
        messages.warning(
            request,
            _("%(email)s is marked as bounced. Send %(name)s a letter instead.")
            % {"email": invitation.email, "name": invitation.name or invitation.email},
        )
    return redirect(meeting)


@staff_required
def meeting_letters(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """One printable page per invitee without a working email address (PDF/A)."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    project = meeting.project
    site = municipality_url(project.municipality, "")
    letters = [
        (invitation, site + invitation.get_rsvp_url())
        for invitation in selectors.letter_invitations(meeting)
    ]
    context = {"meeting": meeting, "project": project, "letters": letters}
    content = render_pdf("meetings/letters_pdf.html", context, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"invitasjoner-{meeting.starts_at:%Y-%m-%d}-{meeting.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
