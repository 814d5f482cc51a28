"""Reads about bodies and meetings that several pages share, and the council's health."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from naboskap.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    CostLine,
    Decision,
    Invitation,
    Meeting,
    Member,
    Minutes,
    MinutesVersion,
)
from naboskap.plans.models import Measure
from naboskap.projects.models import Project

TERM_WARNING_DAYS = 30
# The positions that make a council work; "member" is not one of them.
OFFICES = [Member.Position.CHAIR, Member.Position.DEPUTY_CHAIR, Member.Position.SECRETARY]


@dataclass(frozen=True)
class HealthWarning:
    code: str
    text: str


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def active_members_filter(today: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}term_start__lte": today}) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": today})
    )


def bodies_with_health(project: Project) -> QuerySet[Body]:
    """The project's bodies with what `council_health` needs, in a fixed number of queries:
    `last_met` (the start of the latest held meeting) and `active_members`."""
    today = timezone.localdate()
    members = Member.objects.filter(active_members_filter(today)).select_related("user")
    held = Q(meetings__cancelled_at__isnull=True, meetings__starts_at__lte=timezone.now())
    return (
        project.bodies.select_related("secretariat")
        .annotate(last_met=Max("meetings__starts_at", filter=held))
        .prefetch_related(Prefetch("members", queryset=members, to_attr="active_members"))
    )


def _identity(member: Member) -> str:
    """One person may sit in several rows: the same account, address or name."""
    if member.user_id:
        return f"user:{member.user_id}"
    if member.email:
        return f"email:{member.email.lower()}"
    return f"name:{' '.join(member.name.lower().split())}"


def council_health(body: Body, *, today: date | None = None) -> list[HealthWarning]:
    """What makes the council fragile. `body` comes from `bodies_with_health` (or gets the
    same attributes read here)."""
    today = today or timezone.localdate()
    if not hasattr(body, "active_members"):
        body = bodies_with_health(body.project).get(pk=body.pk)
    members = body.active_members
    warnings = []
    last_met: datetime | None = body.last_met
    since = months_before(today, body.meeting_interval_months)
    if last_met is None or timezone.localdate(last_met) < since:
        warnings.append(
            HealthWarning(
                "no_meeting",
                ngettext(
                    "No meeting in the last %(months)s month.",
                    "No meeting in the last %(months)s months.",
                    body.meeting_interval_months,
                )
                % {"months": body.meeting_interval_months},
            )
        )
    chairs = [m for m in members if m.position == Member.Position.CHAIR]
    if not chairs:
        warnings.append(HealthWarning("no_chair", _("The council has no chair.")))
    elif any(m.category != Member.Category.NEIGHBOUR for m in chairs):
        warnings.append(
            HealthWarning(
                "chair_not_neighbour",
                _("The chair is not a neighbour. The council should be led by a neighbour."),
            )
        )
    if not any(m.position == Member.Position.DEPUTY_CHAIR for m in members):
        warnings.append(HealthWarning("no_deputy", _("The council has no deputy chair.")))
    offices: dict[str, list[Member]] = {}
    for member in members:
        if member.position in OFFICES:
            offices.setdefault(_identity(member), []).append(member)
    for held in offices.values():
        positions = sorted({m.position for m in held}, key=OFFICES.index)
        if len(held) > 1:
            warnings.append(
                HealthWarning(
                    "several_positions",
                    _("%(name)s holds several positions: %(positions)s.")
                    % {
                        "name": held[0].name,
                        "positions": ", ".join(str(Member.Position(p).label) for p in positions),
                    },
                )
            )
    soon = today + timedelta(days=TERM_WARNING_DAYS)
    for member in members:
        if member.term_end is not None and member.term_end <= soon:
            warnings.append(
                HealthWarning(
                    "term_ending",
                    _("The term of %(name)s (%(position)s) ends on %(date)s.")
                    % {
                        "name": member.name,
                        "position": member.get_position_display().lower(),
                        "date": date_format(member.term_end, "SHORT_DATE_FORMAT"),
                    },
                )
            )
    return warnings


def upcoming_meetings(project: Project) -> QuerySet[Meeting]:
    return (
        project.meetings.filter(ends_at__gte=timezone.now(), cancelled_at__isnull=True)
        .select_related("body")
        .order_by("starts_at", "pk")
    )


def public_upcoming_meetings(project: Project) -> QuerySet[Meeting]:
    """What the public project page lists: public meetings that have not ended."""
    return upcoming_meetings(project).filter(is_public=True)


# Calendar feeds carry the last year of meetings and everything to come (cancelled ones too,
# so that calendars which have them learn that they are off).
FEED_HISTORY_DAYS = 365


def feed_meetings(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    since = timezone.now() - timedelta(days=FEED_HISTORY_DAYS)
    return meetings.filter(ends_at__gte=since).select_related("project").order_by("starts_at")


def public_feed_meetings(project: Project) -> QuerySet[Meeting]:
    return feed_meetings(project.meetings.filter(is_public=True))


def body_feed_meetings(body: Body) -> QuerySet[Meeting]:
    return feed_meetings(body.meetings.all())


def upcoming_first(meetings: QuerySet[Meeting], *, now: datetime) -> QuerySet[Meeting]:
    """Meetings not yet over first, soonest first; then those that are over, newest first.

    One ordering in the database (so a slice keeps it): a meeting still going on counts as
    upcoming, as on the meetings page.
    """
    upcoming = Q(ends_at__gte=now)
    return meetings.annotate(
        is_past=Case(When(upcoming, then=Value(0)), default=Value(1)),
        upcoming_start=Case(When(upcoming, then=F("starts_at")), default=Value(None)),
    ).order_by("is_past", "upcoming_start", "-starts_at", "-pk")


def meetings_with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with their numbers of invitations and answers, for lists."""
    answered = {r: Count("invitations", filter=Q(invitations__response=r)) for r in ("yes", "no")}
    return meetings.select_related("body").annotate(
        invited=Count("invitations"),
        answered_yes=answered["yes"],
        answered_no=answered["no"],
        bounced=Count("invitations", filter=Q(invitations__bounced_at__isnull=False)),
    )


def invitation_summary(meeting: Meeting) -> dict[str, int]:
    rows = meeting.invitations.values("response").annotate(n=Count("pk"))
    summary = {r.value: 0 for r in Invitation.Response}
    summary.update({row["response"]: row["n"] for row in rows})
    summary["total"] = sum(summary[r.value] for r in Invitation.Response)
    return summary


def letter_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    """Who gets a printed letter of the meeting's current version: those without email, and
    those whose email bounced, once the version was sent (see `invitations_dispatch`)."""
    return meeting.invitations.filter(
        Q(via=Invitation.Via.LETTER) | Q(bounced_at__isnull=False),
        queued_sequence=meeting.sequence,
    ).order_by("name", "pk")


def letter_kind(invitation: Invitation, meeting: Meeting) -> str:
    """What the printed letter says, once the letter invitee was sent the current version."""
    if meeting.is_cancelled:
        return "cancelled"
    changed = invitation.via == Invitation.Via.LETTER and invitation.sent_sequence is not None
    return "changed" if changed else "invitation"


# Social events: budgets and costs ----------------------------------------------------------


def social_events(body: Body) -> QuerySet[Meeting]:
    """The body's social events with `spent` (the sum of their cost lines), newest first."""
    return (
        body.meetings.filter(kind=Meeting.Kind.SOCIAL)
        .annotate(spent=Sum("cost_lines__amount"), cost_count=Count("cost_lines"))
        .order_by("-starts_at", "-pk")
    )


def budget_by_year(body: Body) -> list[dict]:
    """Per calendar year (Oslo time): the budgets of the body's social events that are not
    cancelled, what was spent (every cost line, cancelled events too: money spent is spent),
    and what each paying unit paid. Summed in the database; newest year first."""
    social = Q(meeting__body=body, meeting__kind=Meeting.Kind.SOCIAL)
    budgets = (
        body.meetings.filter(kind=Meeting.Kind.SOCIAL, cancelled_at__isnull=True)
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(budget=Sum("budget"), events=Count("pk"))
        .order_by()
    )
    costs = (
        CostLine.objects.filter(social)
        .annotate(year=ExtractYear("meeting__starts_at"))
        .values("year", "paying_unit__name")
        .annotate(spent=Sum("amount"))
        .order_by("year", "paying_unit__name")
    )
    years: dict[int, dict] = {}

    def year(number: int) -> dict:
        return years.setdefault(
            number,
            {"year": number, "budget": Decimal(0), "spent": Decimal(0), "events": 0, "units": []},
        )

    for row in budgets:
        entry = year(row["year"])
        entry["budget"] = row["budget"] or Decimal(0)
        entry["events"] = row["events"]
    for row in costs:
        entry = year(row["year"])
        entry["spent"] += row["spent"]
        entry["units"].append({"name": row["paying_unit__name"], "spent": row["spent"]})
    for entry in years.values():
        entry["left"] = entry["budget"] - entry["spent"]
    return sorted(years.values(), key=lambda entry: entry["year"], reverse=True)


# The members' page --------------------------------------------------------------------------

MEMBERS_PAGE_MEETINGS = 10
MEMBERS_PAGE_DRAFTS = 5
MEMBERS_PAGE_MINUTES = 20


def members_upcoming_meetings(body: Body) -> QuerySet[Meeting]:
    """The body's coming meetings with their agendas (one query for all their items)."""
    items = AgendaItem.objects.order_by("position", "pk")
    return (
        body.meetings.filter(ends_at__gte=timezone.now(), cancelled_at__isnull=True)
        .order_by("starts_at", "pk")
        .prefetch_related(Prefetch("agenda_items", queryset=items, to_attr="agenda"))
    )


def members_drafts(body: Body):
    """Minutes of the body's meetings sent to the members for comments, newest first."""
    return (
        Minutes.objects.filter(meeting__body=body, status=Minutes.Status.COMMENTS)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-pk")
    )


def members_minutes(body: Body):
    """The last approved version of each of the body's minutes, public or members-only."""
    latest = MinutesVersion.objects.filter(minutes=OuterRef("minutes")).order_by("-version")
    return (
        MinutesVersion.objects.filter(minutes__meeting__body=body)
        .filter(version=Subquery(latest.values("version")[:1]))
        .select_related("minutes__meeting")
        .order_by("-minutes__meeting__starts_at", "-pk")
    )


def members_contacts(body: Body, member: Member) -> list[dict]:
    """The other current members' contact details, each field only with that member's
    consent (a seat that has ended shares nothing)."""
    today = timezone.localdate()
    others = (
        body.members.filter(active_members_filter(today))
        .filter(Q(share_phone=True, phone__gt="") | Q(share_email=True, email__gt=""))
        .exclude(pk=member.pk)
        .order_by("name", "pk")
    )
    return [
        {
            "name": other.name,
            "position": other.get_position_display(),
            "phone": other.phone if other.share_phone else None,
            "email": other.email if other.share_email else "",
        }
        for other in others
    ]


def facility_contacts(project: Project):
    """Whom to call at the facility: the project's contact points (always shown)."""
    return project.contact_points.order_by("position", "pk")


# Published minutes ---------------------------------------------------------------------------

PUBLIC_MINUTES_ON_PAGE = 10


def public_minutes(project: Project) -> QuerySet:
    """Published minutes of a project, newest meeting first (each page shows the last
    approved version, never a draft)."""
    return (
        Minutes.objects.filter(
            meeting__project=project,
            is_public=True,
            meeting__cancelled_at__isnull=True,
            versions__isnull=False,
        )
        .distinct()
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-pk")
    )


def minutes_content(meeting: Meeting) -> dict:
    """The minutes as they read now, in the shape `MinutesVersion.content` keeps."""
    minutes = getattr(meeting, "minutes", None)
    items = (
        meeting.agenda_items.order_by("position", "pk")
        .select_related("concern", "unwanted_event", "measure")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("created_at", "pk")),
            Prefetch(
                "decisions__measures",
                queryset=Measure.objects.select_related("owner_unit").order_by("pk"),
            ),
        )
    )
    attendances = list(meeting.attendances.select_related("member").order_by("member__name"))
    return {
        "summary": minutes.summary if minutes else "",
        "head_count": minutes.head_count if minutes else None,
        "present": [a.member.name for a in attendances if a.status == Attendance.Status.PRESENT],
        "absent": [a.member.name for a in attendances if a.status == Attendance.Status.ABSENT],
        "apologies": [
            a.member.name for a in attendances if a.status == Attendance.Status.APOLOGIES
        ],
        "items": [
            {
                "title": item.title,
                "presenter": item.presenter,
                "notes": item.notes,
                "residents_note": item.residents_note,
                "decisions": [
                    {
                        "text": decision.text,
                        "measures": [
                            {
                                "title": measure.title,
                                "owner_unit": measure.owner_unit.name,
                                "due_date": measure.due_date.isoformat()
                                if measure.due_date
                                else "",
                            }
                            for measure in decision.measures.all()
                        ],
                    }
                    for decision in item.decisions.all()
                ],
            }
            for item in items
        ],
    }
