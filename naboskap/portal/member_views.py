"""The members' page of a body, for members without a municipal account.

Staff (or the member, by email address) send a one-time link. Opening it shows a button; the
POST spends the link and puts a signed marker for that member and body in the session (not a
Django login). The marker lasts `MEMBER_SESSION_HOURS`; then a new link is needed. Everything
here is rate-limited, never cached and sends no referrer.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.meetings import selectors, services
from naboskap.meetings.forms import RsvpForm
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import Body, Invitation, Member, Minutes
from naboskap.portal.concern_views import (
    is_refused,
    private_page,
    write_limited,
    write_limited_form,
)
from naboskap.portal.views import current_municipality, public_endpoint, public_read

SESSION_KEY = "naboskap_members"
SALT = "naboskap.meetings.members"
MEMBER_SESSION_HOURS = 8
LOGIN_GROUP = "portal.member_login"
REQUEST_GROUP = "portal.member_link_request"
COMMENT_GROUP = "portal.member_comment"
RSVP_GROUP = "portal.member_rsvp"
CONSENT_GROUP = "portal.member_consent"


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        help_text=gettext_lazy("The address the council has for you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the letter"),
        max_length=20,
        help_text=gettext_lazy("Eight letters and digits, for example ABCD-2345."),
        error_messages={"required": gettext_lazy("Type the code from your letter.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write your comment before you send it.")},
    )


class ConsentForm(forms.Form):
    share_phone = forms.BooleanField(
        label=gettext_lazy("Show my phone number to the other members"), required=False
    )
    share_email = forms.BooleanField(
        label=gettext_lazy("Show my email address to the other members"), required=False
    )


# The session marker ------------------------------------------------------------------------


def start_member_session(request: HttpRequest, member: Member) -> None:
    markers = dict(request.session.get(SESSION_KEY, {}))
    request.session.cycle_key()  # a new session id: nobody who knew the old one gets in
    markers[str(member.body_id)] = signing.dumps(
        {"member": member.pk, "body": member.body_id}, salt=SALT
    )
    request.session[SESSION_KEY] = markers


def session_member(request: HttpRequest, body_pk: int) -> Member | None:
    """The member this browser opened a link for, if the marker is fresh and the seat current."""
    marker = request.session.get(SESSION_KEY, {}).get(str(body_pk))
    if not marker:
        return None
    try:
        data = signing.loads(marker, salt=SALT, max_age=MEMBER_SESSION_HOURS * 3600)
    except signing.BadSignature:
        return None
    if data.get("body") != body_pk:
        return None
    member = (
        Member.objects.select_related("body__project")
        .filter(
            pk=data.get("member"),
            body_id=body_pk,
            body__project__municipality=current_municipality(request),
        )
        .first()
    )
    if member is None or not member.is_active():
        return None
    return member


# Views -------------------------------------------------------------------------------------


def _refused(request: HttpRequest, error: services.LoginLinkRefused) -> HttpResponse:
    context = {"message": error.messages[0], "form": LinkRequestForm()}
    status = 404 if error.code == "unknown" else 410
    return render(request, "portal/members/link_refused.html", context, status=status)


def _member_login(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links); only the POST spends the link."""
    municipality = current_municipality(request)
    if request.method == "POST":
        try:
            member = services.member_login_link_use(token=token, municipality=municipality)
        except services.LoginLinkRefused as error:
            return _refused(request, error)
        start_member_session(request, member)
        messages.success(request, _("Welcome, %(name)s.") % {"name": member.name})
        return redirect("portal:members_page", member.body_id)
    link = services.login_link_find(token=token, municipality=municipality)
    try:
        services.login_link_check(link)
    except services.LoginLinkRefused as error:
        return _refused(request, error)
    context = {"member": link.member, "body": link.member.body}
    return render(request, "portal/members/login.html", context)


member_login = private_page(write_limited(_member_login, LOGIN_GROUP))


def _member_code(request: HttpRequest) -> HttpResponse:
    """The code from a letter, for a member without email. The QR code on the letter opens
    this page with the code filled in; only the POST spends it. A wrong code is answered on
    the form, with what was typed; trying codes is limited per address like the links."""
    municipality = current_municipality(request)
    form = CodeForm(posted(request), initial={"code": request.GET.get("kode", "")[:20]})
    if is_refused(request):
        form.is_valid()
        form.add_error(None, _("Too many tries from this address. Wait an hour and try again."))
        return render(request, "portal/members/code.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        code = services.login_code_normal(form.cleaned_data["code"])
        try:
            member = services.member_login_link_use(token=code, municipality=municipality)
        except services.LoginLinkRefused as error:
            show_error(request, error, form, field="code")
        else:
            start_member_session(request, member)
            messages.success(request, _("Welcome, %(name)s.") % {"name": member.name})
            return redirect("portal:members_page", member.body_id)
    return render(request, "portal/members/code.html", {"form": form}, status=form_status(form))


member_code = private_page(write_limited_form(_member_code, LOGIN_GROUP))


def _link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a new link by email address. The answer is the same whether or not the
    address belongs to a member; links per member are limited too."""
    form = LinkRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.member_login_links_request(
            municipality=current_municipality(request), email=form.cleaned_data["email"]
        )
        context = {"email": form.cleaned_data["email"]}
        return render(request, "portal/members/link_sent.html", context)
    current_municipality(request)
    return render(
        request, "portal/members/link_request.html", {"form": form}, status=form_status(form)
    )


member_link_request = private_page(write_limited(_link_request, REQUEST_GROUP))


def _members_page(request, body: Body, member: Member, *, comment_forms=None, status=200):
    """On a phone: first what needs the member (a draft to comment on, the next meeting with
    their answer), then the next meeting's agenda, then whom to call, then the archive."""
    comment_forms = comment_forms or {}
    drafts = []
    for minutes in selectors.members_drafts(body)[: selectors.MEMBERS_PAGE_DRAFTS]:
        drafts.append(
            {
                "minutes": minutes,
                "content": minutes_services.minutes_content(minutes.meeting),
                "form": comment_forms.get(minutes.pk) or CommentForm(auto_id=f"c{minutes.pk}_%s"),
                "mine": [c for c in minutes.comments.all() if c.member_id == member.pk],
            }
        )
    meetings = list(selectors.members_upcoming_meetings(body)[: selectors.MEMBERS_PAGE_MEETINGS])
    next_meeting = meetings[0] if meetings else None
    invitation = next_meeting.invitations.filter(member=member).first() if next_meeting else None
    context = {
        "body": body,
        "project": body.project,
        "member": member,
        "next_meeting": next_meeting,
        "invitation": invitation,
        "later": meetings[1:],
        "drafts": drafts,
        "versions": selectors.members_minutes(body)[: selectors.MEMBERS_PAGE_MINUTES],
        "contacts": selectors.members_contacts(body, member),
        "facility": list(selectors.facility_contacts(body.project)),
        "consent_form": ConsentForm(
            initial={"share_phone": member.share_phone, "share_email": member.share_email}
        ),
    }
    return render(request, "portal/members/page.html", context, status=status)


def _login_needed(request: HttpRequest) -> HttpResponse:
    context = {"form": LinkRequestForm()}
    return render(request, "portal/members/login_needed.html", context, status=403)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


def _rsvp(request: HttpRequest, body_pk: int, meeting_pk: int) -> HttpResponse:
    """The member answers for the next meeting from their page."""
    member = session_member(request, body_pk)
    if member is None:
        return _login_needed(request)
    if is_refused(request):
        return _too_many(request)
    invitation = (
        Invitation.objects.select_related("meeting")
        .filter(meeting_id=meeting_pk, meeting__body_id=body_pk, member=member)
        .first()
    )
    if invitation is None:
        raise Http404
    form = RsvpForm(posted(request))
    if form.is_valid():
        try:
            services.rsvp_answer(invitation=invitation, response=form.cleaned_data["response"])
        except ValidationError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                _("Thank you. Your answer: %(answer)s.")
                % {"answer": invitation.get_response_display()},
            )
    else:
        messages.error(request, _("Choose yes, no or maybe."))
    return redirect(reverse("portal:members_page", args=[body_pk]) + "#needs-you-heading")


members_rsvp = private_page(require_POST(write_limited_form(_rsvp, RSVP_GROUP)))


def _consent(request: HttpRequest, body_pk: int) -> HttpResponse:
    """The member chooses which of their contact details the other members see."""
    member = session_member(request, body_pk)
    if member is None:
        return _login_needed(request)
    if is_refused(request):
        return _too_many(request)
    form = ConsentForm(request.POST)
    form.is_valid()  # two checkboxes: nothing can be invalid
    try:
        services.member_contact_consent(
            member=member,
            share_phone=form.cleaned_data.get("share_phone", False),
            share_email=form.cleaned_data.get("share_email", False),
        )
    except ValidationError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Your choice is saved."))
    return redirect(reverse("portal:members_page", args=[body_pk]) + "#contacts-heading")


members_consent = private_page(require_POST(write_limited_form(_consent, CONSENT_GROUP)))


@private_page
@public_read
def members_page(request: HttpRequest, body_pk: int) -> HttpResponse:
    member = session_member(request, body_pk)
    if member is None:
        current_municipality(request)
        context = {"form": LinkRequestForm()}
        return render(request, "portal/members/login_needed.html", context, status=403)
    return _members_page(request, member.body, member)


def _comment(request: HttpRequest, body_pk: int, minutes_pk: int) -> HttpResponse:
    member = session_member(request, body_pk)
    if member is None:
        context = {"form": LinkRequestForm()}
        return render(request, "portal/members/login_needed.html", context, status=403)
    minutes = (
        Minutes.objects.select_related("meeting")
        .filter(pk=minutes_pk, meeting__body_id=body_pk)
        .first()
    )
    if minutes is None:
        raise Http404
    form = CommentForm(posted(request), auto_id=f"c{minutes.pk}_%s")
    if form.is_valid():
        if minutes.status != Minutes.Status.COMMENTS:
            messages.error(request, _("These minutes no longer take comments."))
            return redirect("portal:members_page", body_pk)
        try:
            minutes_services.minutes_comment_add(
                minutes=minutes, member=member, text=form.cleaned_data["text"], recorded_by=None
            )
        except ValidationError as error:
            show_error(request, error, form, field="text")
        else:
            messages.success(request, _("Thank you. The secretary sees your comment."))
            return redirect(
                reverse("portal:members_page", args=[body_pk]) + f"#minutes-{minutes.pk}"
            )
    return _members_page(request, member.body, member, comment_forms={minutes.pk: form}, status=400)


members_comment = private_page(require_POST(write_limited(_comment, COMMENT_GROUP)))


@private_page
@require_POST
@public_endpoint
def members_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("You have left the members' page."))
    return redirect("portal:member_link_request")
