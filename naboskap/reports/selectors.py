"""Reads for status reports: which reports a user may read, the previous report of a scope,
what happened in a period (counts and titles of public or staff objects) and each project's
phase and next milestones.

Everything here is plain data (dicts, lists, dates, numbers and strings), read in a fixed
number of queries, and free of personal data: no names of reporters, residents, neighbours
or staff, no concern texts, no notes. Titles are those of updates, meetings, measures and
analyses, which staff write for the public or for each other.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from naboskap.meetings.models import Meeting
from naboskap.plans.models import Measure, MeasureChange
from naboskap.projects.models import Phase, PhaseChange, PlannedPhase, Project, Update
from naboskap.reports.models import StatusReport
from naboskap.reports.rules import READERS
from naboskap.risk.models import Analysis
from naboskap.tenancy.rules import memberships_of

# How many titles a list in a report shows; the count above it always covers them all.
LIST_LIMIT = 15
# How many coming meetings and due measures a report names as the next milestones.
MILESTONE_LIMIT = 5


@dataclass(frozen=True)
class Scope:
    """What a report covers: a municipality, or one project within it."""

    municipality: object
    project: object | None = None

    def filter(self, prefix: str = "project") -> Q:
        """Rows of this scope, through their `prefix` relation to the project."""
        if self.project is not None:
            return Q(**{prefix: self.project})
        return Q(**{f"{prefix}__municipality": self.municipality})


def readable_reports(user, municipality=None) -> QuerySet[StatusReport] | None:
    """Every kept report the user may read (of `municipality`, when given), newest first;
    None when the user reads none (no politician, administrator or coordinator role there)."""
    municipality_ids, project_ids = set(), set()
    for membership in memberships_of(user):
        if membership.role not in READERS:
            continue
        if municipality is not None and membership.municipality_id != municipality.pk:
            continue
        if membership.project_id is None:
            municipality_ids.add(membership.municipality_id)
        else:
            project_ids.add(membership.project_id)
    if not municipality_ids and not project_ids:
        return None
    return (
        StatusReport.objects.filter(
            Q(municipality_id__in=municipality_ids) | Q(project_id__in=project_ids)
        )
        .select_related("municipality", "project")
        .defer("data", "body_html")
        .order_by("-period_end", "-created_at", "-pk")
    )


def scope_reports(scope: Scope) -> QuerySet[StatusReport]:
    """The kept reports of exactly this scope (a municipality's own, or a project's)."""
    reports = StatusReport.objects.filter(municipality=scope.municipality)
    if scope.project is not None:
        reports = reports.filter(project=scope.project)
    else:
        reports = reports.filter(project__isnull=True)
    return (
        reports.select_related("municipality", "project")
        .defer("data", "body_html")
        .order_by("-period_end", "-created_at", "-pk")
    )


def previous_report(scope: Scope, period_end: datetime.date) -> StatusReport | None:
    """The latest report of the same scope whose period ended before `period_end`."""
    return (
        scope_reports(scope)
        .filter(period_end__lt=period_end)
        .select_related(None)
        .only("pk", "period_start", "period_end")
        .first()
    )


def day_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """From the start of `start` to the end of `end`, in local time, as [from, to)."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return begin, until


def _listing(queryset, limit: int = LIST_LIMIT) -> tuple[int, list]:
    """(how many in all, the first `limit` of them)."""
    items = list(queryset[: limit + 1])
    if len(items) <= limit:
        return len(items), items
    return queryset.count(), items[:limit]


def happenings(scope: Scope, since: datetime.date, until: datetime.date) -> dict:
    """What happened from `since` to `until` (both included): published updates, phase
    changes, meetings held, measures completed and analyses approved. Each kind has its
    count and the first titles (newest first), with the project's name."""
    begin, end = day_range(since, until)
    now = timezone.now()
    updates = (
        Update.objects.filter(
            scope.filter(), published_at__gte=begin, published_at__lt=min(end, now)
        )
        .order_by("-published_at", "-pk")
        .values("title", "published_at", "project__name")
    )
    phases = (
        PhaseChange.objects.filter(scope.filter(), changed_at__gte=begin, changed_at__lt=end)
        .order_by("-changed_at", "-pk")
        .values("from_phase", "to_phase", "changed_at", "project__name")
    )
    meetings = (
        Meeting.objects.filter(
            scope.filter(),
            starts_at__gte=begin,
            starts_at__lt=min(end, now),
            cancelled_at__isnull=True,
        )
        .order_by("-starts_at", "-pk")
        .values("title", "kind", "starts_at", "project__name")
    )
    finished = MeasureChange.objects.filter(
        measure=OuterRef("pk"), changed_at__gte=begin, changed_at__lt=end, changes__has_key="status"
    )
    measures = (
        Measure.objects.filter(scope.filter(), Exists(finished), status=Measure.Status.DONE)
        .order_by("-updated_at", "-pk")
        .values("title", "owner_unit__name", "project__name")
    )
    analyses = (
        Analysis.objects.filter(scope.filter(), approved_at__gte=begin, approved_at__lt=end)
        .order_by("-approved_at", "-pk")
        .values("title", "revision", "approved_at", "project__name")
    )
    labels = dict(Phase.choices)
    kinds = dict(Meeting.Kind.choices)
    result = {}
    for key, queryset in (
        ("updates", updates),
        ("phase_changes", phases),
        ("meetings", meetings),
        ("measures_done", measures),
        ("analyses_approved", analyses),
    ):
        count, items = _listing(queryset)
        for item in items:
            if "to_phase" in item:
                item["from_label"] = str(labels.get(item["from_phase"], ""))
                item["to_label"] = str(labels.get(item["to_phase"], item["to_phase"]))
            if "kind" in item:
                item["kind_label"] = str(kinds.get(item["kind"], item["kind"]))
            for field in ("published_at", "changed_at", "starts_at", "approved_at"):
                if item.get(field):
                    item["date"] = timezone.localdate(item.pop(field))
        result[key] = {"count": count, "items": items, "more": count - len(items)}
    result["total"] = sum(result[key]["count"] for key in list(result))
    return result


def project_phases(scope: Scope, today: datetime.date) -> list[dict]:
    """Each project of the scope (not closed, unless it is the report's own project) with its
    phase and the planned phases still to come, soonest first."""
    labels = dict(Phase.choices)
    if scope.project is not None:
        projects = [scope.project]
    else:
        projects = list(
            Project.objects.filter(municipality=scope.municipality)
            .exclude(phase=Phase.CLOSED)
            .order_by("name", "pk")
            .only("pk", "name", "phase", "municipality_id")
        )
    planned: dict[int, list] = {}
    for row in (
        PlannedPhase.objects.filter(project__in=[p.pk for p in projects], planned_start__gte=today)
        .order_by("planned_start", "pk")
        .values("project_id", "phase", "planned_start")
    ):
        planned.setdefault(row["project_id"], []).append(
            {"label": str(labels.get(row["phase"], row["phase"])), "date": row["planned_start"]}
        )
    return [
        {
            "name": project.name,
            "phase": str(labels.get(project.phase, project.phase)),
            "planned": planned.get(project.pk, []),
        }
        for project in projects
    ]


def milestones(scope: Scope, today: datetime.date) -> dict:
    """What comes next: meetings not yet held, open measures by due date, and the next
    revision of approved analyses."""
    begin, _end = day_range(today, today)
    meetings = list(
        Meeting.objects.filter(scope.filter(), starts_at__gte=begin, cancelled_at__isnull=True)
        .order_by("starts_at", "pk")
        .values("title", "kind", "starts_at", "project__name")[:MILESTONE_LIMIT]
    )
    kinds = dict(Meeting.Kind.choices)
    for meeting in meetings:
        meeting["kind_label"] = str(kinds.get(meeting["kind"], meeting["kind"]))
        meeting["date"] = timezone.localdate(meeting.pop("starts_at"))
    measures = list(
        Measure.objects.filter(
            scope.filter(),
            due_date__isnull=False,
            status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS],
        )
        .filter(due_date__gte=today)
        .order_by("due_date", "pk")
        .values("title", "due_date", "owner_unit__name", "project__name")[:MILESTONE_LIMIT]
    )
    revisions = list(
        Analysis.objects.filter(
            scope.filter(), status=Analysis.Status.APPROVED, next_revision_on__isnull=False
        )
        .order_by("next_revision_on", "pk")
        .values("title", "next_revision_on", "project__name")[:MILESTONE_LIMIT]
    )
    return {"meetings": meetings, "measures": measures, "revisions": revisions}
