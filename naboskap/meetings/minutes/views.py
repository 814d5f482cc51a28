"""Staff pages for agendas, the residents' meeting and minutes, under a meeting's address.

Every view opens the meeting through access.py and changes state through minutes/services.py.
"""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from naboskap.documents import downloads
from naboskap.lib.breadcrumbs import link
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.meetings import services as meeting_services
from naboskap.meetings.access import MANAGE, get_meeting_for_user
from naboskap.meetings.breadcrumbs import meetings_trail
from naboskap.meetings.documents import MINUTES
from naboskap.meetings.minutes import services, workflow
from naboskap.meetings.minutes.forms import (
    AgendaItemForm,
    AttendanceForm,
    CommentForm,
    DecisionForm,
    ItemNotesForm,
    MinutesForm,
    PublishForm,
    ResidentsMeetingForm,
    ResidentsNoteForm,
)
from naboskap.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Minutes,
    MinutesVersion,
)
from naboskap.meetings.selectors import active_members_filter
from naboskap.plans.models import Measure
from naboskap.tenancy.access import staff_required


def _can_manage(request: HttpRequest, meeting: Meeting) -> bool:
    return rules.has_perm(MANAGE, request.user, meeting.project)


def _minutes_title(meeting: Meeting) -> str:
    return f"{_('Minutes')}: {meeting.title}"


def _minutes_link(meeting: Meeting):
    return link(_("Minutes"), "meetings:minutes_detail", meeting.project_id, meeting.pk)


def _form_page(request, form, *, meeting, title, back_url, intro=""):
    context = {
        "form": form,
        "project": meeting.project,
        "meeting": meeting,
        "body": meeting.body,
        "title": title,
        "cancel_url": back_url,
        "intro": intro,
        "breadcrumbs": meetings_trail(meeting.project, title, meeting=meeting),
    }
    return render(request, "meetings/form.html", context, status=form_status(form))


def _item(meeting: Meeting, item_pk: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    item.meeting = meeting
    return item


def agenda_items(meeting: Meeting):
    """The meeting's agenda with everything its page shows, in a fixed number of queries."""
    return (
        meeting.agenda_items.order_by("position", "pk")
        .select_related("concern", "unwanted_event__analysis", "measure", "council_item")
        .prefetch_related(
            Prefetch("residents_items", queryset=AgendaItem.objects.select_related("meeting"))
        )
    )


def agenda_context(request: HttpRequest, meeting: Meeting) -> dict:
    """What the meeting page needs for its agenda section."""
    items = list(agenda_items(meeting))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    return {
        "agenda": items,
        "agenda_minutes_total": sum(i.duration_minutes or 0 for i in items),
        "for_residents": any(i.for_residents for i in items),
        "residents_meetings": list(
            Meeting.objects.filter(agenda_items__council_item__meeting=meeting)
            .distinct()
            .order_by("starts_at")
        ),
        "minutes": minutes,
        "can_manage_agenda": _can_manage(request, meeting),
        "residents_note_form": ResidentsNoteForm()
        if meeting.kind == Meeting.Kind.RESIDENTS
        else None,
    }


# Agenda ------------------------------------------------------------------------------------


@staff_required
def agenda_item_create(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    form = AgendaItemForm(posted(request), project=meeting.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The item is on the agenda."))
            return redirect(f"{meeting.get_absolute_url()}#agenda-heading")
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("New agenda item"),
        back_url=meeting.get_absolute_url(),
    )


@staff_required
def agenda_item_edit(request: HttpRequest, pk: int, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    item = _item(meeting, item_pk)
    form = AgendaItemForm(posted(request), instance=item, project=meeting.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_edit(item=item, **form.cleaned_data)
        except ValidationError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The agenda item was saved."))
            return redirect(f"{meeting.get_absolute_url()}#agenda-heading")
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("Edit agenda item"),
        back_url=meeting.get_absolute_url(),
    )


@require_POST
@staff_required
def agenda_item_delete(
    request: HttpRequest, pk: int, meeting_pk: int, item_pk: int
) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    item = _item(meeting, item_pk)
    try:
        services.agenda_item_delete(item=item)
    except ValidationError as error:
        show_error(request, error)
    else:
        messages.success(request, _("“%(title)s” was taken off the agenda.") % {"title": item})
    return redirect(f"{meeting.get_absolute_url()}#agenda-heading")


@require_POST
@staff_required
def agenda_item_move(request: HttpRequest, pk: int, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    item = _item(meeting, item_pk)
    direction = request.POST.get("retning")
    if direction not in ("opp", "ned"):
        messages.error(request, _("Choose whether to move the item up or down."))
        return redirect(f"{meeting.get_absolute_url()}#agenda-heading")
    services.agenda_item_move(item=item, up=direction == "opp")
    return redirect(f"{meeting.get_absolute_url()}#item-{item.pk}")


@staff_required
def residents_meeting_create(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    initial = {"title": _("Residents' meeting before %(title)s") % {"title": meeting.title}}
    initial["place"] = meeting.place
    form = ResidentsMeetingForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            residents = meeting_services.residents_meeting_create(
                council_meeting=meeting, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_error(request, error, form)
        else:
            messages.success(
                request,
                _("The residents' meeting was made with the items marked for it."),
            )
            return redirect(residents)
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("New residents' meeting"),
        back_url=meeting.get_absolute_url(),
        intro=_(
            "The residents' meeting gets the agenda items marked “for the residents' meeting”. "
            "What the residents say about each item is shown to the council under the item."
        ),
    )


@require_POST
@staff_required
def residents_note(request: HttpRequest, pk: int, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    item = _item(meeting, item_pk)
    form = ResidentsNoteForm(posted(request))
    if form.is_valid():
        try:
            services.residents_note_save(item=item, note=form.cleaned_data["note"])
        except ValidationError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Saved. The council sees it under the item."))
        return redirect(f"{meeting.get_absolute_url()}#item-{item.pk}")
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("What the residents said about “%(title)s”") % {"title": item.title},
        back_url=meeting.get_absolute_url(),
    )


# Minutes -----------------------------------------------------------------------------------


def _minutes(meeting: Meeting) -> Minutes:
    minutes = (
        Minutes.objects.select_related("approved_by", "published_by")
        .filter(meeting=meeting)
        .first()
    )
    if minutes is None:
        raise Http404
    minutes.meeting = meeting
    return minutes


def _minutes_page(request, meeting, *, status=200, **forms):
    minutes = Minutes.objects.select_related("approved_by").filter(meeting=meeting).first()
    if minutes is not None:
        minutes.meeting = meeting
    can_manage = _can_manage(request, meeting)
    items = list(
        meeting.agenda_items.order_by("position", "pk").prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("created_at", "pk")),
            Prefetch(
                "decisions__measures",
                queryset=Measure.objects.select_related("owner_unit").order_by("pk"),
            ),
        )
    )
    attendances = list(meeting.attendances.select_related("member").order_by("member__name"))
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "minutes": minutes,
        "items": items,
        "present": [a.member for a in attendances if a.status == "present"],
        "absent": [a.member for a in attendances if a.status == "absent"],
        "apologies": [a.member for a in attendances if a.status == "apologies"],
        "versions": list(minutes.versions.only("version", "approved_at", "approved_by_name"))
        if minutes
        else [],
        "comments": list(minutes.comments.select_related("member")) if minutes else [],
        "can_manage": can_manage,
        "transitions": workflow.TRANSITIONS[minutes.status] if minutes else set(),
        "approved_by_name": services.person_name(minutes.approved_by) if minutes else "",
        "breadcrumbs": meetings_trail(meeting.project, _minutes_title(meeting), meeting=meeting),
    }
    if minutes is not None and can_manage:
        context["comment_form"] = forms.get("comment_form") or CommentForm(meeting=meeting)
        context["publish_form"] = forms.get("publish_form") or PublishForm()
        context["attendance_form"] = forms.get("attendance_form") or _attendance_form(meeting)
        units = None  # the owner units, read once for every item's decision form
        for item in items:
            _item_forms(meeting, item, units=units)
            units = units or list(item.decision_form.fields["owner_unit"].choices)
    return render(request, "meetings/minutes_detail.html", context, status=status)


def _attendance_members(meeting: Meeting) -> tuple[list, dict[int, str]]:
    """The body's members whose term covers the meeting's date (and anyone recorded), and
    what to show for each: what was recorded, or else what they answered (yes: present,
    no: sent apologies)."""
    on = timezone.localtime(meeting.starts_at).date()
    members = list(meeting.body.members.filter(active_members_filter(on)).order_by("name"))
    recorded = dict(meeting.attendances.values_list("member_id", "status"))
    members += list(meeting.body.members.filter(pk__in=set(recorded) - {m.pk for m in members}))
    if not recorded:
        answers = {"yes": Attendance.Status.PRESENT, "no": Attendance.Status.APOLOGIES}
        for member_id, response in meeting.invitations.filter(
            member__isnull=False, response__in=answers
        ).values_list("member_id", "response"):
            recorded[member_id] = answers[response]
    return members, recorded


def _attendance_form(meeting: Meeting, data=None):
    if meeting.body is None:
        return None
    members, recorded = _attendance_members(meeting)
    return AttendanceForm(data, members=members, recorded=recorded, auto_id="att_%s")


def _item_forms(
    meeting: Meeting, item: AgendaItem, *, notes_form=None, decision_form=None, units=None
):
    """The item's own forms on the one-page minutes (ids unique per item). `units`: the
    owner-unit choices read already, so that many items take no query each."""
    item.notes_form = notes_form or ItemNotesForm(
        initial={"notes": item.notes}, auto_id=f"notes{item.pk}_%s"
    )
    item.decision_form = decision_form or DecisionForm(
        project=meeting.project, auto_id=f"decision{item.pk}_%s"
    )
    if units is not None and not item.decision_form.is_bound:
        item.decision_form.fields["owner_unit"].choices = units
    return item


def _item_block(request, meeting: Meeting, item: AgendaItem, *, saved="", status=200, **forms):
    """One item of the one-page minutes, as htmx swaps it in after saving."""
    item = (
        meeting.agenda_items.filter(pk=item.pk)
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("created_at", "pk")),
            Prefetch(
                "decisions__measures",
                queryset=Measure.objects.select_related("owner_unit").order_by("pk"),
            ),
        )
        .get()
    )
    _item_forms(meeting, item, **forms)
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "item": item,
        "can_manage": True,
        "saved": saved,
    }
    return render(request, "meetings/includes/minutes_item_edit.html", context, status=status)


@staff_required
def minutes_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk)
    return _minutes_page(request, meeting)


@require_POST
@staff_required
def minutes_start(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    services.minutes_start(meeting=meeting, created_by=request.user)
    return redirect("meetings:minutes_detail", pk=pk, meeting_pk=meeting_pk)


def _changed_message(request, before: int, minutes_version: int) -> None:
    if minutes_version != before:
        messages.warning(
            request,
            _(
                "The minutes were approved, so your change starts version %(version)s. "
                "The approved version is kept as it was."
            )
            % {"version": minutes_version},
        )


@staff_required
def minutes_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    form = MinutesForm(posted(request), instance=minutes)
    if request.method == "POST" and form.is_valid():
        before = minutes.version
        minutes = services.minutes_edit(minutes=minutes, **form.cleaned_data)
        _changed_message(request, before, minutes.version)
        messages.success(request, _("The minutes were saved."))
        return redirect(minutes.get_absolute_url())
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("General notes and head-count"),
        back_url=minutes.get_absolute_url(),
    )


@staff_required
def minutes_attendance(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    if meeting.body is None:
        messages.error(request, _("Only a body's meeting has members to record."))
        return redirect(minutes.get_absolute_url())
    form = _attendance_form(meeting, posted(request))
    if request.method == "POST" and form.is_valid():
        before = minutes.version
        services.attendance_set(meeting=meeting, statuses=form.statuses())
        _changed_message(request, before, _minutes(meeting).version)
        messages.success(request, _("The attendance was saved."))
        return redirect(f"{minutes.get_absolute_url()}#attendance-heading")
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("Attendance"),
        back_url=minutes.get_absolute_url(),
        intro=_(
            "Who of the body's members came, who was absent, and who sent apologies. "
            "Filled in from their answers until you save."
        ),
    )


def _item_page(request, meeting, item, *, notes_form=None, decision_form=None):
    minutes = _minutes(meeting)
    decisions = list(
        item.decisions.order_by("created_at", "pk").prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("owner_unit"))
        )
    )
    notes_form = notes_form or ItemNotesForm(initial={"notes": item.notes})
    decision_form = decision_form or DecisionForm(project=meeting.project)
    bad = notes_form.is_bound or decision_form.is_bound
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "minutes": minutes,
        "item": item,
        "decisions": decisions,
        "notes_form": notes_form,
        "decision_form": decision_form,
        "breadcrumbs": meetings_trail(
            meeting.project, _minutes_link(meeting), item.title, meeting=meeting
        ),
    }
    return render(request, "meetings/minutes_item.html", context, status=400 if bad else 200)


@staff_required
def minutes_item(request: HttpRequest, pk: int, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    item = _item(meeting, item_pk)
    if request.method == "POST":
        form = ItemNotesForm(posted(request), auto_id=f"notes{item.pk}_%s")
        if form.is_valid():
            before = _minutes(meeting).version
            services.item_notes_save(item=item, notes=form.cleaned_data["notes"])
            if request.htmx:
                return _item_block(request, meeting, item, saved=_("The notes were saved."))
            _changed_message(request, before, _minutes(meeting).version)
            messages.success(request, _("The notes were saved."))
            return redirect(f"{_minutes(meeting).get_absolute_url()}#item-{item.pk}")
        if request.htmx:
            return _item_block(request, meeting, item, notes_form=form, status=400)
        return _item_page(request, meeting, item, notes_form=form)
    return _item_page(request, meeting, item)


@require_POST
@staff_required
def decision_create(request: HttpRequest, pk: int, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    item = _item(meeting, item_pk)
    minutes = _minutes(meeting)
    form = DecisionForm(posted(request), project=meeting.project, auto_id=f"decision{item.pk}_%s")
    if form.is_valid():
        try:
            decision = services.decision_add(
                item=item, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_error(request, error, form)
        else:
            if request.htmx:
                saved = (
                    _("The decision was saved, and its measure is in the action plan.")
                    if decision.measures.exists()
                    else _("The decision was saved.")
                )
                return _item_block(request, meeting, item, saved=saved)
            _changed_message(request, minutes.version, _minutes(meeting).version)
            if decision.measures.exists():
                messages.success(
                    request, _("The decision was saved, and its measure is in the action plan.")
                )
            else:
                messages.success(request, _("The decision was saved."))
            return redirect(f"{minutes.get_absolute_url()}#item-{item.pk}")
    if request.htmx:
        return _item_block(request, meeting, item, decision_form=form, status=400)
    return _item_page(request, meeting, item, decision_form=form)


@staff_required
def decision_edit(request: HttpRequest, pk: int, meeting_pk: int, decision_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    decision = get_object_or_404(Decision, pk=decision_pk, agenda_item__meeting=meeting)
    decision.agenda_item.meeting = meeting
    minutes = _minutes(meeting)
    form = DecisionForm(posted(request), project=meeting.project, initial={"text": decision.text})
    for name in ("measure_title", "owner_unit", "due_date"):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        services.decision_edit(decision=decision, text=form.cleaned_data["text"])
        _changed_message(request, minutes.version, _minutes(meeting).version)
        messages.success(request, _("The decision was saved."))
        return redirect(f"{minutes.get_absolute_url()}#item-{decision.agenda_item_id}")
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=_("Edit decision"),
        back_url=minutes.get_absolute_url(),
    )


@require_POST
@staff_required
def minutes_send(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    try:
        count = services.minutes_send_for_comments(minutes=minutes, sent_by=request.user)
    except ValidationError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "The draft goes by email to %(count)s member for comments.",
                "The draft goes by email to %(count)s members for comments.",
                count,
            )
            % {"count": count},
        )
    return redirect(minutes.get_absolute_url())


@require_POST
@staff_required
def minutes_comment(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    form = CommentForm(posted(request), meeting=meeting)
    if form.is_valid():
        services.minutes_comment_add(
            minutes=minutes,
            member=form.cleaned_data["member"],
            text=form.cleaned_data["text"],
            recorded_by=request.user,
        )
        messages.success(request, _("The comment was recorded."))
        return redirect(f"{minutes.get_absolute_url()}#comments-heading")
    return _minutes_page(request, meeting, status=400, comment_form=form)


@require_POST
@staff_required
def minutes_approve(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    try:
        version = services.minutes_approve(minutes=minutes, approved_by=request.user)
    except ValidationError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("Version %(version)s is approved.") % {"version": version.version}
        )
    return redirect(minutes.get_absolute_url())


@require_POST
@staff_required
def minutes_publish(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    form = PublishForm(posted(request))
    if form.is_valid():
        try:
            services.minutes_publish(
                minutes=minutes,
                published_by=request.user,
                confirmed=form.cleaned_data["confirm"],
            )
        except ValidationError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The approved minutes are on the public project page."))
            return redirect(minutes.get_absolute_url())
    return _minutes_page(request, meeting, status=400, publish_form=form)


@require_POST
@staff_required
def minutes_unpublish(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk, MANAGE)
    minutes = _minutes(meeting)
    services.minutes_unpublish(minutes=minutes)
    messages.success(request, _("The minutes are for members only again."))
    return redirect(minutes.get_absolute_url())


def _version(minutes: Minutes, number: int) -> MinutesVersion:
    return get_object_or_404(MinutesVersion, minutes=minutes, version=number)


@staff_required
def minutes_version(request: HttpRequest, pk: int, meeting_pk: int, version: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, meeting_pk)
    minutes = _minutes(meeting)
    context = {
        "project": meeting.project,
        "meeting": meeting,
        "minutes": minutes,
        "version": _version(minutes, version),
        "breadcrumbs": meetings_trail(
            meeting.project,
            _minutes_link(meeting),
            _("version %(number)s") % {"number": version},
            meeting=meeting,
        ),
    }
    return render(request, "meetings/minutes_version.html", context)


@staff_required
def minutes_pdf(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """The minutes as PDF/A: an approved version (`?versjon=2`), else the text as it is now.
    Stored and current, or prepared by the worker while the page waits (see `documents`)."""
    meeting = get_meeting_for_user(request.user, pk, meeting_pk)
    minutes = _minutes(meeting)
    number = request.GET.get("versjon", "")
    if number:
        if not number.isdigit():
            raise Http404
        number = str(_version(minutes, int(number)).version)
    return downloads.download(
        request,
        kind=MINUTES,
        obj=meeting,
        variant=number,
        back_url=reverse("meetings:minutes_detail", args=[meeting.project_id, meeting.pk]),
        back_label=_("Minutes"),
        breadcrumbs=meetings_trail(
            meeting.project, _minutes_link(meeting), _("PDF"), meeting=meeting
        ),
    )
