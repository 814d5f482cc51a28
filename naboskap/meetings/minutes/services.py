"""Agendas, the residents' pre-meeting, minutes and decisions.

Minutes are a working copy (the agenda items' notes, the decisions, the attendance, general
notes) with a workflow: draft → sent to members for comments → approved. Approving stores the
minutes as they read in an append-only `MinutesVersion`. Any change to approved minutes first
starts the next version (a draft again), so an approved text is never overwritten. Public
pages and members see the last approved version only.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.documents.services import documents_changed
from naboskap.lib import events, pagecache
from naboskap.lib.errors import DomainError
from naboskap.meetings.documents import MINUTES
from naboskap.meetings.minutes import tasks as minutes_tasks
from naboskap.meetings.minutes import workflow
from naboskap.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Member,
    Minutes,
    MinutesComment,
    MinutesVersion,
)
from naboskap.meetings.selectors import minutes_content
from naboskap.plans import services as plan_services

ITEM_FIELDS = {
    "title",
    "description",
    "presenter",
    "duration_minutes",
    "concern",
    "unwanted_event",
    "measure",
    "for_residents",
}
MINUTES_FIELDS = {"summary", "head_count"}

S = Minutes.Status


class MinutesError(DomainError):
    """A change the minutes' workflow or the agenda does not allow; shown to the user."""


def _minutes_changed(meeting: Meeting) -> None:
    """The minutes' PDF shows what changed: rendered again after commit (the meeting's
    letters too, which print the agenda, through the project's documents)."""
    documents_changed(kind=MINUTES, obj=meeting)


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# Agenda ------------------------------------------------------------------------------------


def check_item_links(item: AgendaItem, project_id: int) -> None:
    """The concern, unwanted event and measure an item links to must be the project's own."""
    errors = {}
    if item.concern_id and item.concern.project_id != project_id:
        errors["concern"] = _("Choose a concern of this project.")
    if item.unwanted_event_id and item.unwanted_event.analysis.project_id != project_id:
        errors["unwanted_event"] = _("Choose an unwanted event of this project.")
    if item.measure_id and item.measure.project_id != project_id:
        errors["measure"] = _("Choose a measure of this project.")
    if errors:
        raise MinutesError(errors)


def _set_item_fields(item: AgendaItem, fields: dict) -> None:
    for name, value in fields.items():
        if name not in ITEM_FIELDS:
            raise ValueError(f"{name} is not an editable field")
        setattr(item, name, value)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, **fields) -> AgendaItem:
    """Add an item at the end of the meeting's agenda."""
    _locked_meeting(meeting)  # one position at a time
    _open_for_change(meeting)
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item = AgendaItem(meeting=meeting, position=0 if last is None else last + 1)
    _set_item_fields(item, fields)
    check_item_links(item, meeting.project_id)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_edit(*, item: AgendaItem, **fields) -> AgendaItem:
    AgendaItem.objects.select_for_update().get(pk=item.pk)
    _open_for_change(item.meeting)
    _set_item_fields(item, fields)
    check_item_links(item, item.meeting.project_id)
    item.full_clean()
    item.save(update_fields=list(fields))
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem) -> None:
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.decisions.exists():
        raise MinutesError(
            _("This item has decisions in the minutes, so it cannot be deleted. Edit it instead.")
        )
    _open_for_change(item.meeting)
    item.delete()


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool) -> bool:
    """Swap the item with the one above (or below) it. Returns False at either end."""
    meeting = _locked_meeting(item.meeting)
    items = list(meeting.agenda_items.order_by("position", "pk"))
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:  # deleted meanwhile
        return False
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return False
    _open_for_change(meeting)
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):  # also mends gaps and ties
        each.position = position
    AgendaItem.objects.bulk_update(items, ["position"])
    return True


@transaction.atomic
def residents_note_save(*, item: AgendaItem, note: str) -> AgendaItem:
    """What the residents said about an item of their meeting, kept on the council's item."""
    if item.council_item_id is None:
        raise MinutesError(_("This item did not come from a council meeting."))
    council_item = AgendaItem.objects.select_for_update().get(pk=item.council_item_id)
    council_item.residents_note = note.strip()
    council_item.residents_note_at = timezone.now()
    council_item.full_clean()
    council_item.save(update_fields=["residents_note", "residents_note_at"])
    _minutes_changed(council_item.meeting)
    return council_item


# Minutes -----------------------------------------------------------------------------------


def _open_for_change(meeting: Meeting) -> Minutes | None:
    """Lock the meeting's minutes before a change to them. Approved minutes start their next
    version (a draft) first, so the approved one stays as it was (see `MinutesVersion`)."""
    minutes = Minutes.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    if minutes is not None and minutes.status in workflow.ON_CHANGE:
        _transition(minutes, workflow.ON_CHANGE[minutes.status])
        minutes.version += 1
        minutes.approved_at = None
        minutes.approved_by = None
        minutes.changed_at = timezone.now()
        minutes.save(
            update_fields=["version", "status", "approved_at", "approved_by", "changed_at"]
        )
    if minutes is not None:
        _minutes_changed(meeting)
    return minutes


@transaction.atomic
def minutes_start(*, meeting: Meeting, created_by) -> Minutes:
    """The meeting's minutes, made as an empty draft the first time."""
    _locked_meeting(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        minutes = Minutes(meeting=meeting, created_by=created_by)
        minutes.full_clean(exclude=["meeting"])
        minutes.save()
        _minutes_changed(meeting)
    return minutes


def _require_minutes(meeting: Meeting) -> Minutes:
    minutes = _open_for_change(meeting)
    if minutes is None:
        raise MinutesError(_("Start the minutes first."))
    return minutes


@transaction.atomic
def minutes_edit(*, minutes: Minutes, **fields) -> Minutes:
    """General notes and the head-count."""
    minutes = _require_minutes(minutes.meeting)
    for name, value in fields.items():
        if name not in MINUTES_FIELDS:
            raise ValueError(f"{name} is not an editable field")
        setattr(minutes, name, value)
    minutes.changed_at = timezone.now()
    minutes.full_clean(exclude=["meeting"])
    minutes.save(update_fields=[*fields, "changed_at"])
    return minutes


@transaction.atomic
def item_notes_save(*, item: AgendaItem, notes: str) -> AgendaItem:
    _require_minutes(item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    item.notes = notes.strip()
    item.full_clean()
    item.save(update_fields=["notes"])
    return item


@transaction.atomic
def attendance_set(*, meeting: Meeting, statuses: dict[Member, str]) -> int:
    """Record who was present and who sent apologies ("" removes a member's record).
    Returns the number of members recorded."""
    _require_minutes(meeting)
    recorded = 0
    for member, status in statuses.items():
        if member.body_id is None or member.body_id != meeting.body_id:
            raise ValueError("the member is not in the meeting's body")
        if not status:
            Attendance.objects.filter(meeting=meeting, member=member).delete()
            continue
        if status not in Attendance.Status.values:
            raise MinutesError(_("Choose present or sent apologies."))
        Attendance.objects.update_or_create(
            meeting=meeting, member=member, defaults={"status": status}
        )
        recorded += 1
    return recorded


@transaction.atomic
def decision_add(
    *,
    item: AgendaItem,
    created_by,
    text: str,
    measure_title: str = "",
    owner_unit=None,
    due_date: date | None = None,
) -> Decision:
    """A decision under an agenda item. With `measure_title` it also puts a measure in the
    project's action plan, which needs an owner unit and a deadline."""
    meeting = item.meeting
    _require_minutes(meeting)
    if measure_title.strip():
        errors = {}
        if owner_unit is None:
            errors["owner_unit"] = _("A measure needs an owner unit.")
        if due_date is None:
            errors["due_date"] = _("A measure needs a deadline.")
        if errors:
            raise MinutesError(errors)
    decision = Decision(agenda_item=item, text=text.strip(), created_by=created_by)
    decision.full_clean()
    decision.save()
    if measure_title.strip():
        try:
            plan_services.measure_create(
                project=meeting.project,
                created_by=created_by,
                title=measure_title.strip(),
                owner_unit=owner_unit,
                due_date=due_date,
                decision=decision,
                description=text.strip(),
            )
        except plan_services.PlanError as exc:
            raise MinutesError(str(exc)) from exc
    return decision


@transaction.atomic
def decision_edit(*, decision: Decision, text: str) -> Decision:
    _require_minutes(decision.agenda_item.meeting)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision.text = text.strip()
    decision.full_clean()
    decision.save(update_fields=["text"])
    return decision


def _transition(minutes: Minutes, to: str) -> None:
    """The one place the minutes' status changes: checked against the workflow table."""
    if not workflow.allowed(minutes.status, to):
        raise MinutesError(
            _("Minutes that are “%(status)s” cannot become “%(to)s”.")
            % {"status": minutes.get_status_display(), "to": S(to).label}
        )
    minutes.status = to


def _locked_minutes(minutes: Minutes) -> Minutes:
    """The minutes locked for a change of their state (which their PDF shows)."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    _minutes_changed(minutes.meeting)
    return minutes


@transaction.atomic
def minutes_send_for_comments(*, minutes: Minutes, sent_by=None) -> int:
    """Email the draft to the body's members with an address; they answer by email (to
    `sent_by`, when they have an address) and staff record their comments. Returns how many
    members it goes to."""
    minutes = _locked_minutes(minutes)
    _transition(minutes, S.COMMENTS)
    meeting = minutes.meeting
    if meeting.body_id is None:
        raise MinutesError(_("Only minutes of a body's meeting go to members for comments."))
    count = minutes_tasks.comment_recipients(meeting).count()
    if not count:
        raise MinutesError(_("No member of the body has an email address."))
    minutes.sent_for_comments_at = timezone.now()
    minutes.save(update_fields=["status", "sent_for_comments_at"])
    minutes_id, version = minutes.pk, minutes.version
    reply_to = getattr(sent_by, "email", "") or ""
    transaction.on_commit(
        lambda: minutes_tasks.send_minutes_for_comments.enqueue(minutes_id, version, reply_to)
    )
    return count


@transaction.atomic
def minutes_comment_add(
    *, minutes: Minutes, member: Member | None, text: str, recorded_by
) -> MinutesComment:
    minutes = _locked_minutes(minutes)
    if member is not None and member.body_id != minutes.meeting.body_id:
        raise ValueError("the member is not in the meeting's body")
    comment = MinutesComment(
        minutes=minutes,
        version=minutes.version,
        member=member,
        text=text.strip(),
        recorded_by=recorded_by,
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def minutes_approve(*, minutes: Minutes, approved_by) -> MinutesVersion:
    """Approve the minutes as they read now; the text is kept unchanged as this version."""
    minutes = _locked_minutes(minutes)
    _transition(minutes, S.APPROVED)
    minutes.approved_at = timezone.now()
    minutes.approved_by = approved_by
    minutes.changed_at = minutes.approved_at
    minutes.save(update_fields=["status", "approved_at", "approved_by", "changed_at"])
    version = MinutesVersion.objects.create(
        minutes=minutes,
        version=minutes.version,
        content=minutes_content(minutes.meeting),
        approved_at=minutes.approved_at,
        approved_by=approved_by,
        approved_by_name=person_name(approved_by),
    )
    if minutes.is_public:
        pagecache.invalidate()
    # For the municipality's webhooks (ADR 0032), committed with the approval.
    events.emit(
        events.MINUTES_APPROVED,
        version,
        municipality_id=minutes.meeting.project.municipality_id,
    )
    return version


@transaction.atomic
def minutes_publish(*, minutes: Minutes, published_by, confirmed: bool) -> Minutes:
    """Show the approved minutes on the public pages. Staff must confirm that nothing in them
    is personal information about residents; until then minutes are for members only."""
    minutes = _locked_minutes(minutes)
    if not confirmed:
        raise MinutesError(
            {
                "confirm": _(
                    "Confirm that the minutes hold no personal information about residents "
                    "before you publish them."
                )
            }
        )
    if not minutes.versions.exists():
        raise MinutesError(_("Approve the minutes before you publish them."))
    minutes.is_public = True
    minutes.published_at = timezone.now()
    minutes.published_by = published_by
    minutes.save(update_fields=["is_public", "published_at", "published_by"])
    pagecache.invalidate()
    return minutes


@transaction.atomic
def minutes_unpublish(*, minutes: Minutes) -> Minutes:
    minutes = _locked_minutes(minutes)
    minutes.is_public = False
    minutes.save(update_fields=["is_public"])
    pagecache.invalidate()
    return minutes
