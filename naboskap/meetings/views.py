"""Staff pages for bodies and meetings, under /app/. Every view fetches through access.py."""

from decimal import Decimal

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link, project_trail
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.lib.pdf import render_pdf
from naboskap.meetings import selectors, services
from naboskap.meetings.access import (
    MANAGE,
    get_body_for_user,
    get_meeting_for_user,
    get_meetings_project_for_user,
    get_series_for_user,
)
from naboskap.meetings.breadcrumbs import meetings_trail
from naboskap.meetings.documents import LETTERS
from naboskap.meetings.forms import (
    AgendaTemplateForm,
    BodyForm,
    BounceForm,
    BudgetForm,
    CancelForm,
    CostLineForm,
    InviteForm,
    MeetingFilterForm,
    MeetingForm,
    MemberForm,
    SeriesEditForm,
    SeriesForm,
)
from naboskap.meetings.minutes.views import agenda_context
from naboskap.meetings.models import AgendaTemplate, CostLine, Invitation, Meeting, Member
from naboskap.meetings.tasks import invitation_email
from naboskap.projects.templatetags.letters import typed_address
from naboskap.tenancy.access import staff_required
from naboskap.tenancy.selectors import municipality_url

MEETINGS_ON_BODY_PAGE = 20
PAST_MEETINGS_PER_PAGE = 25
BUDGET_EVENTS_ON_PAGE = 100


def _can_manage(request: HttpRequest, project) -> bool:
    return rules.has_perm(MANAGE, request.user, project)


def _form_page(
    request, form, *, project, title, back_url, body=None, meeting=None, intro="", trail=None
):
    context = {
        "form": form,
        "project": project,
        "title": title,
        "cancel_url": back_url,
        "body": body,
        "meeting": meeting,
        "intro": intro,
        "breadcrumbs": trail or meetings_trail(project, title, body=body, meeting=meeting),
    }
    return render(request, "meetings/form.html", context, status=form_status(form))


# Bodies ------------------------------------------------------------------------------------


@staff_required
def body_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk)
    bodies = [
        (body, selectors.council_health(body)) for body in selectors.bodies_with_health(project)
    ]
    context = {
        "project": project,
        "bodies": bodies,
        "can_manage": _can_manage(request, project),
        "breadcrumbs": project_trail(project, _("Councils and bodies")),
    }
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
    trail = project_trail(
        project, link(_("Councils and bodies"), "meetings:body_list", project.pk), _("New body")
    )
    return _form_page(
        request, form, project=project, title=_("New body"), back_url=back, trail=trail
    )


@staff_required
def body_detail(request: HttpRequest, pk: int, body_pk: int) -> HttpResponse:
    body = get_body_for_user(request.user, pk, body_pk)
    project = body.project
    body = selectors.bodies_with_health(project).get(pk=body.pk)
    body.project = project
    meetings = selectors.upcoming_first(
        selectors.meetings_with_counts(body.meetings.all()), now=timezone.now()
    )[:MEETINGS_ON_BODY_PAGE]
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
        "series_list": list(body.series.order_by("-first_starts_at", "-pk")[:20]),
        "budget_this_year": next(
            (year for year in selectors.budget_by_year(body) if year["year"] == today.year), None
        ),
        "can_manage": _can_manage(request, project),
        "feed_url": municipality_url(project.municipality, feed_path),
        "members_page_address": typed_address(
            project.municipality, reverse("portal:members_page", args=[body.pk])
        ),
        "today": today,
        "breadcrumbs": project_trail(
            project,
            link(_("Councils and bodies"), "meetings:body_list", project.pk),
            body.name,
        ),
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
    """Coming meetings first (soonest first), then held ones (newest first, a page at a
    time); by body and kind, and by words in the title or place."""
    project = get_meetings_project_for_user(request.user, pk)
    now = timezone.now()
    meetings = selectors.meetings_with_counts(project.meetings.all())
    filters = MeetingFilterForm(request.GET or None, project=project)
    if filters.is_valid():
        if filters.cleaned_data["organ"]:
            meetings = meetings.filter(body=filters.cleaned_data["organ"])
        if filters.cleaned_data["type"]:
            meetings = meetings.filter(kind=filters.cleaned_data["type"])
        if words := filters.cleaned_data["q"]:
            meetings = meetings.filter(Q(title__icontains=words) | Q(place__icontains=words))
    past = meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    page = Paginator(past, PAST_MEETINGS_PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "project": project,
        "filters": filters,
        "upcoming": meetings.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        "past": page,
        "query": query.urlencode(),
        "can_manage": _can_manage(request, project),
        "breadcrumbs": project_trail(project, _("Meetings")),
    }
    return render(request, "meetings/meeting_list.html", context, status=form_status(filters))


def _sent_text(sent: dict) -> str:
    """E.g. "3 emails are on their way. 1 letter is ready to print.", each in its plural."""
    emails = ngettext(
        "%(count)s email is on its way.", "%(count)s emails are on their way.", sent["emails"]
    ) % {"count": sent["emails"]}
    letters = ngettext(
        "%(count)s letter is ready to print.",
        "%(count)s letters are ready to print.",
        sent["letters"],
    ) % {"count": sent["letters"]}
    return f"{emails} {letters}"


def _series_saved_text(result: dict) -> str:
    parts = {
        "changed": ngettext(
            "%(count)s coming meeting changed",
            "%(count)s coming meetings changed",
            result["changed"],
        )
        % {"count": result["changed"]},
        "added": ngettext("%(count)s added", "%(count)s added", result["added"])
        % {"count": result["added"]},
        "cancelled": ngettext("%(count)s cancelled", "%(count)s cancelled", result["cancelled"])
        % {"count": result["cancelled"]},
    }
    text = _("The series was saved: %(changed)s, %(added)s, %(cancelled)s. All invited are told.")
    return text % parts


@staff_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Saving plans the meeting and never sends anything. A body's members whose term covers
    the meeting's date go on the invitation list; sending is the next step, with a preview."""
    project = get_meetings_project_for_user(request.user, pk, MANAGE)
    organ = request.GET.get("organ", "")
    body = project.bodies.filter(pk=organ).first() if organ.isdigit() and len(organ) < 10 else None
    initial = {"body": body, "kind": "council"} if body else {}
    chosen = request.GET.get("mal", "")
    if chosen.isdigit() and len(chosen) < 10:
        initial["template"] = project.agenda_templates.filter(pk=chosen).first()
    form = MeetingForm(posted(request), project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        template = data.pop("template", None)
        meeting = services.meeting_create(project=project, created_by=request.user, **data)
        if template is not None:
            services.agenda_template_apply(template=template, meeting=meeting)
        count = 0
        if meeting.body_id and not meeting.has_started:
            count = services.invitations_add(
                meeting=meeting, members=services.members_to_invite(meeting)
            )
        if count:
            messages.success(
                request,
                ngettext(
                    "The meeting was created. Nothing has been sent: the %(count)s member "
                    "whose term covers the date is on the invitation list. Check the preview "
                    "and send the invitations when the agenda is ready.",
                    "The meeting was created. Nothing has been sent: the %(count)s members "
                    "whose term covers the date are on the invitation list. Check the preview "
                    "and send the invitations when the agenda is ready.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.success(request, _("The meeting was created. Nothing has been sent."))
        return redirect(meeting)
    back = body.get_absolute_url() if body else reverse("meetings:meeting_list", args=[project.pk])
    return _form_page(
        request, form, project=project, body=body, title=_("New meeting"), back_url=back
    )


def _sending_state(meeting: Meeting, invitations: list[Invitation]) -> dict:
    """What the meeting page says about sending: invitees not sent yet, an update to send."""
    current = meeting.sequence
    unsent = [i for i in invitations if i.queued_sequence is None]
    outdated = [i for i in invitations if i.queued_sequence is not None]
    outdated = [i for i in outdated if i.queued_sequence != current]
    return {
        "unsent": len(unsent) if not meeting.is_cancelled else 0,
        "outdated": len(outdated),
        "sent_any": any(i.queued_sequence is not None for i in invitations),
    }


@staff_required
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk)
    invitations = list(meeting.invitations.select_related("member"))
    letters = [
        i for i in invitations if services.by_letter(i) and i.queued_sequence == meeting.sequence
    ]
    open_meeting = not (meeting.is_cancelled or meeting.has_started)
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "invitations": invitations,
        "summary": selectors.invitation_summary(meeting),
        "letters": len(letters),
        "letter_names": [i.name for i in letters],
        "bounced": [i for i in invitations if i.is_bounced],
        "can_manage": _can_manage(request, meeting.project),
        "can_invite": open_meeting,
        "sending": _sending_state(meeting, invitations),
        "breadcrumbs": meetings_trail(meeting.project, meeting.title, body=meeting.body),
        **agenda_context(request, meeting),
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
            show_error(request, error)
            return redirect(meeting)
        if meeting.sequence != before:
            messages.warning(
                request,
                _(
                    "The meeting was saved. Nothing has been sent: those invited still have "
                    "the old time or place. Send them the update when you are ready."
                ),
            )
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


def _preview(meeting: Meeting, pending: list[Invitation]) -> dict:
    """One example per channel and kind of what `pending` invitees get, rendered exactly as
    it is sent (the email's subject and text; the letter)."""
    site = municipality_url(meeting.project.municipality, "")
    emails, letters, seen = [], [], set()
    for invitation in pending:
        invitation.meeting = meeting
        kind = services.invitation_kind(invitation, meeting)
        letter = services.by_letter(invitation)
        (letters if letter else emails).append(invitation)
        if (letter, kind) in seen:
            continue
        seen.add((letter, kind))
        invitation.example_kind = kind
        if letter:
            invitation.example_url = site + invitation.get_rsvp_url()
        else:
            invitation.example_subject, invitation.example_text, _url = invitation_email(
                invitation, kind
            )
    return {
        "emails": emails,
        "letters": letters,
        "email_examples": [i for i in emails if hasattr(i, "example_kind")],
        "letter_examples": [i for i in letters if hasattr(i, "example_kind")],
    }


@staff_required
def meeting_send(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """Send invitations (or the update) on purpose: a preview of what each invitee gets, by
    channel, and one button. Sending again sends nothing new."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    closed = None
    if meeting.is_cancelled:
        closed = _("This meeting is cancelled. Nobody can be invited to it.")
    else:
        try:
            services.invitation_check_open(meeting)
        except ValidationError as error:
            closed = " ".join(error.messages)
    if request.method == "POST" and closed is None:
        try:
            sent = services.invitations_dispatch(meeting=meeting)
        except ValidationError as error:
            show_error(request, error)
            return redirect(meeting)
        if sent["emails"] or sent["letters"]:
            messages.success(
                request,
                _sent_text(sent),
            )
        else:
            messages.info(
                request, _("Everyone invited has this version already. Nothing was sent.")
            )
        return redirect(meeting)
    pending = list(services.invitations_pending(meeting)) if closed is None else []
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "closed": closed,
        "agenda": list(meeting.agenda_items.order_by("position", "pk")),
        "breadcrumbs": meetings_trail(
            meeting.project,
            _("Send invitations to %(title)s") % {"title": meeting.title},
            meeting=meeting,
        ),
        **_preview(meeting, pending),
    }
    status = 400 if (closed and request.method == "POST") else 200
    return render(request, "meetings/meeting_send.html", context, status=status)


@staff_required
def meeting_cancel(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """Confirm, with a reason that goes to everyone invited (email with METHOD:CANCEL, and
    letters listed for printing)."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    if meeting.is_cancelled:
        messages.error(request, _("This meeting is already cancelled."))
        return redirect(meeting)
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                show_error(request, error, form)
            else:
                show_error(request, error)
                return redirect(meeting)
        else:
            messages.success(
                request,
                _("The meeting is cancelled.") + " " + _sent_text(sent),
            )
            return redirect(meeting)
    told = list(meeting.invitations.filter(queued_sequence__isnull=False).order_by("name", "pk"))
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "form": form,
        "emails": [i for i in told if not services.by_letter(i)],
        "letters": [i for i in told if services.by_letter(i)],
        "breadcrumbs": meetings_trail(
            meeting.project, _("Cancel %(title)s?") % {"title": meeting.title}, meeting=meeting
        ),
    }
    return render(request, "meetings/meeting_cancel.html", context, status=form_status(form))


@staff_required
def meeting_invite(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """Add invitees by hand. Nothing is sent here: the meeting page offers to send."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    form = InviteForm(posted(request), meeting=meeting, user=request.user)
    closed = None
    try:
        services.invitation_check_open(meeting)
    except ValidationError as error:
        closed = " ".join(error.messages)
    if request.method == "POST" and form.is_valid() and closed is None:
        count = services.invitations_add(
            meeting=meeting,
            members=form.cleaned_data["members"],
            people=[
                *form.cleaned_data["people"],
                *(
                    {"name": s.name, "email": s.email, "postal_address": s.address}
                    for name in ("organisations", "persons")
                    for s in form.cleaned_data.get(name, ())
                ),
            ],
            subscribers=form.cleaned_data.get("subscribers", False),
        )
        messages.success(
            request,
            ngettext(
                "%(count)s person was added to the invitation list. Nothing has been sent "
                "yet: check the preview and send.",
                "%(count)s people were added to the invitation list. Nothing has been sent "
                "yet: check the preview and send.",
                count,
            )
            % {"count": count},
        )
        return redirect(meeting)
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "form": form,
        "closed": closed,
        "breadcrumbs": meetings_trail(
            meeting.project, _("Invite to %(title)s") % {"title": meeting.title}, meeting=meeting
        ),
    }
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
    """One printable page per invitee without a working email address (PDF/A): stored and
    current, or prepared by the worker while the page waits (see `documents`)."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    return downloads.download(
        request,
        kind=LETTERS,
        obj=meeting,
        back_url=meeting.get_absolute_url(),
        back_label=meeting.title,
        breadcrumbs=meetings_trail(meeting.project, _("Invitation letters"), meeting=meeting),
    )


# Series ------------------------------------------------------------------------------------


@staff_required
def series_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk, MANAGE)
    organ = request.GET.get("organ", "")
    body = project.bodies.filter(pk=organ).first() if organ.isdigit() and len(organ) < 10 else None
    initial = {"frequency": "monthly", "interval": 2, "duration_minutes": 120}
    if body:
        initial.update(body=body, kind="council", title=body.name, invites_members=True)
    form = SeriesForm(posted(request), project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(
                project=project, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_error(request, error, form)
        else:
            count = series.meetings.count()
            messages.success(
                request,
                ngettext(
                    "The series was created with %(count)s meeting.",
                    "The series was created with %(count)s meetings.",
                    count,
                )
                % {"count": count},
            )
            return redirect(series)
    back = body.get_absolute_url() if body else reverse("meetings:meeting_list", args=[project.pk])
    return _form_page(
        request,
        form,
        project=project,
        body=body,
        title=_("New meeting series"),
        back_url=back,
        intro=_(
            "The series makes all its meetings now. Later you can change the time, place or "
            "end of the meetings to come; past meetings stay as they were."
        ),
    )


@staff_required
def series_detail(request: HttpRequest, pk: int, series_pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk, series_pk)
    meetings = selectors.upcoming_first(
        selectors.meetings_with_counts(series.meetings.all()), now=timezone.now()
    )
    context = {
        "project": series.project,
        "series": series,
        "body": series.body,
        "meetings": meetings,
        "can_manage": _can_manage(request, series.project),
        "now": timezone.now(),
        "breadcrumbs": meetings_trail(series.project, series.title, body=series.body),
    }
    return render(request, "meetings/series_detail.html", context)


@staff_required
def series_edit(request: HttpRequest, pk: int, series_pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk, series_pk, MANAGE)
    if series.is_ended:
        messages.error(request, _("This series has ended and can no longer be changed."))
        return redirect(series)
    form = SeriesEditForm(posted(request), series=series)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.series_edit(
                series=series, edited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_error(request, error, form)
        else:
            messages.success(
                request,
                _series_saved_text(result),
            )
            return redirect(series)
    return _form_page(
        request,
        form,
        project=series.project,
        body=series.body,
        title=_("Edit the series %(title)s") % {"title": series.title},
        back_url=series.get_absolute_url(),
        intro=_(
            "Changes apply to the meetings to come. Past meetings, and meetings you cancelled "
            "one by one, stay as they are. To meet more or less often, end this series and "
            "start a new one."
        ),
    )


@require_POST
@staff_required
def series_end(request: HttpRequest, pk: int, series_pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk, series_pk, MANAGE)
    try:
        count = services.series_end(series=series)
    except ValidationError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "The series has ended. %(count)s coming meeting was cancelled.",
                "The series has ended. %(count)s coming meetings were cancelled.",
                count,
            )
            % {"count": count},
        )
    return redirect(series)


# Social events: budget and costs -----------------------------------------------------------


@staff_required
def meeting_costs(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """A social event's budget and cost lines; managers add lines and set the budget here."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk)
    if meeting.kind != Meeting.Kind.SOCIAL:
        raise Http404
    project = meeting.project
    can_manage = _can_manage(request, project)
    secretariat = meeting.body.secretariat_id if meeting.body else None
    form = CostLineForm(None, project=project, default_unit_id=secretariat, prefix="cost")
    budget_form = BudgetForm(initial={"budget": meeting.budget}, prefix="budget")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "budget-budget" in request.POST:
            budget_form = BudgetForm(request.POST, prefix="budget")
            if budget_form.is_valid():
                services.meeting_set_budget(
                    meeting=meeting, budget=budget_form.cleaned_data["budget"]
                )
                messages.success(request, _("The budget was saved."))
                return redirect("meetings:meeting_costs", project.pk, meeting.pk)
        else:
            form = CostLineForm(posted(request), project=project, prefix="cost")
            if form.is_valid():
                services.cost_line_add(
                    meeting=meeting, created_by=request.user, **form.cleaned_data
                )
                messages.success(request, _("The cost was added."))
                return redirect("meetings:meeting_costs", project.pk, meeting.pk)
    lines = list(meeting.cost_lines.select_related("paying_unit"))
    spent = sum((line.amount for line in lines), Decimal(0))
    context = {
        "project": project,
        "meeting": meeting,
        "body": meeting.body,
        "lines": lines,
        "spent": spent,
        "left": (meeting.budget - spent) if meeting.budget is not None else None,
        "form": form,
        "budget_form": budget_form,
        "can_manage": can_manage,
        "breadcrumbs": meetings_trail(project, _("Budget and costs"), meeting=meeting),
    }
    status = 400 if (form.errors or budget_form.errors) else 200
    return render(request, "meetings/meeting_costs.html", context, status=status)


@require_POST
@staff_required
def cost_line_delete(request: HttpRequest, pk: int, meeting_pk: int, line_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    line = get_object_or_404(CostLine, pk=line_pk, meeting=meeting)
    line.meeting = meeting
    services.cost_line_delete(cost_line=line)
    messages.success(request, _("The cost “%(item)s” was removed.") % {"item": line.item})
    return redirect("meetings:meeting_costs", meeting.project.pk, meeting.pk)


@staff_required
def body_budget(request: HttpRequest, pk: int, body_pk: int) -> HttpResponse:
    """The body's social events per year: budgets, what was spent, and who paid."""
    body = get_body_for_user(request.user, pk, body_pk)
    context = {
        "project": body.project,
        "body": body,
        "years": selectors.budget_by_year(body),
        "events": selectors.social_events(body)[:BUDGET_EVENTS_ON_PAGE],
        "can_manage": _can_manage(request, body.project),
        "breadcrumbs": meetings_trail(body.project, _("Social events and budget"), body=body),
    }
    return render(request, "meetings/body_budget.html", context)


# Members' login links ----------------------------------------------------------------------


@require_POST
@staff_required
def member_login_link(request: HttpRequest, pk: int, body_pk: int, member_pk: int) -> HttpResponse:
    """Email an external member a one-time link to the members' page."""
    body = get_body_for_user(request.user, pk, body_pk, MANAGE)
    member = get_object_or_404(Member, pk=member_pk, body=body)
    try:
        services.member_login_link_send(member=member, created_by=request.user)
    except ValidationError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("A login link is on its way to %(email)s. It works once, within 24 hours.")
            % {"email": member.email},
        )
    return redirect(body)


@staff_required
@require_POST
def member_login_letter(
    request: HttpRequest, pk: int, body_pk: int, member_pk: int
) -> HttpResponse:
    """Print a letter with a one-time code to the members' page, for a member without email.
    The code exists only in this PDF; printing again makes a new code."""
    body = get_body_for_user(request.user, pk, body_pk, MANAGE)
    member = get_object_or_404(Member, pk=member_pk, body=body)
    try:
        link, code = services.member_login_letter_create(member=member, created_by=request.user)
    except ValidationError as error:
        show_error(request, error)
        return redirect(body)
    code_path = reverse("portal:member_code")
    context = {
        "member": member,
        "body": body,
        "project": body.project,
        "code": services.login_code_format(code),
        "address": typed_address(body.project.municipality, code_path),
        "code_url": municipality_url(body.project.municipality, f"{code_path}?kode={code}"),
        "expires_at": link.expires_at,
        "letter_date": timezone.localdate(),
    }
    content = render_pdf("meetings/login_letter_pdf.html", context, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="innlogging-{member.pk}.pdf"'
    return response


# Agenda templates --------------------------------------------------------------------------


@staff_required
def agenda_template_save(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    form = AgendaTemplateForm(posted(request), initial={"name": meeting.title})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.agenda_template_save(
                meeting=meeting, name=form.cleaned_data["name"], created_by=request.user
            )
        except ValidationError as error:
            show_error(request, error, form, field="name")
        else:
            messages.success(
                request,
                _("The agenda is saved as the template “%(name)s”.") % {"name": template.name},
            )
            return redirect(meeting)
    return _form_page(
        request,
        form,
        project=meeting.project,
        meeting=meeting,
        title=_("Save the agenda as a template"),
        back_url=meeting.get_absolute_url(),
        intro=_(
            "New meetings and series can start from the template. The items' titles, "
            "descriptions, presenters and durations are kept; links to concerns, events and "
            "measures are not."
        ),
    )


@staff_required
def agenda_template_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk)
    templates = project.agenda_templates.select_related("body").prefetch_related("items")
    context = {
        "project": project,
        "templates": templates.order_by("name", "pk"),
        "can_manage": _can_manage(request, project),
        "breadcrumbs": meetings_trail(project, _("Agenda templates")),
    }
    return render(request, "meetings/agenda_templates.html", context)


@require_POST
@staff_required
def agenda_template_delete(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    project = get_meetings_project_for_user(request.user, pk, MANAGE)
    template = get_object_or_404(AgendaTemplate, pk=template_pk, project=project)
    services.agenda_template_delete(template=template)
    messages.success(
        request,
        _("The template “%(name)s” was deleted. Meetings made from it keep their agendas.")
        % {"name": template.name},
    )
    return redirect("meetings:agenda_template_list", project.pk)
