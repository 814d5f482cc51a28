"""The staff start page ("I dag", issue 18): what needs this user today.

Every item is a count with a link to a list that already exists, and shows only when the
rules let the user open that list (`user.has_perm`, never a role check here). Everything is
of the municipality the user works in now, and of the projects they reach
(`projects_for_user`); concerns and measures come from the inbox's and the "my unit's
measures" page's own selectors, so the counts agree with the lists they open.

Bounded: each kind of item is one grouped query over all the user's projects, so the page's
query count does not grow with the number of concerns, measures, meetings or tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from naboskap.concerns.selectors import inbox_counts
from naboskap.concerns.workflow import Status as ConcernStatus
from naboskap.facility.models import Observation, Round
from naboskap.insights.metrics import flagged_events
from naboskap.insights.models import SurveyRound
from naboskap.lib import start_page
from naboskap.lib.start_page import Item
from naboskap.meetings.models import Invitation, Meeting, Minutes
from naboskap.plans.models import Measure
from naboskap.plans.selectors import measures_for_user
from naboskap.projects.selectors import projects_for_user
from naboskap.reports.models import StatusReport
from naboskap.risk.models import ScoringRound
from naboskap.routines.models import ProjectTask
from naboskap.routines.selectors import DUE_SOON_DAYS, anchors_for_projects, attach_due_dates
from naboskap.situation.models import Assessment
from naboskap.tenancy.rules import memberships_of

AHEAD_DAYS = 14  # meetings and measures "in the next 14 days"
RECENT_OBSERVATIONS = 5
LATEST_REPORTS = 3


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    rows: list = field(default_factory=list)  # objects to list under the counts

    @property
    def needs_you(self) -> bool:
        return any(item.count for item in self.items)


def _link(name: str, *args, **query) -> str:
    """The list's address. Without a query it is reversed only if it is shown (most counts
    are 0 and their items dropped): a page with 50 projects would otherwise reverse some
    450 addresses it never shows."""
    if not query:
        return reverse_lazy(name, args=args)
    return f"{reverse(name, args=args)}?{urlencode(query)}"


def _count(label, url, n, *, urgent=False) -> Item | None:
    return Item(label=str(label), url=url, count=n, urgent=urgent) if n else None


def _keep(items) -> list[Item]:
    return [item for item in items if item is not None]


def _grouped(queryset, project_field: str = "project_id") -> dict[int, int]:
    rows = queryset.order_by().values(project_field).annotate(n=Count("pk"))
    return {row[project_field]: row["n"] for row in rows}


# Concerns and measures ------------------------------------------------------------------------


def _concerns(user, municipality) -> Section | None:
    if not user.has_perm("concerns.use_inbox", municipality):
        return None
    by_status, by_view = inbox_counts(user, municipality)
    inbox = "concerns:inbox"
    items = _keep(
        [
            _count(
                _("To acknowledge"),
                _link(inbox, status=ConcernStatus.RECEIVED),
                by_status.get(ConcernStatus.RECEIVED, 0),
            ),
            _count(_("Overdue"), _link(inbox, view="overdue"), by_view["overdue"], urgent=True),
            _count(_("Due this week"), _link(inbox, view="week"), by_view["week"]),
            _count(_("New from the reporter"), _link(inbox, view="new"), by_view["new"]),
            _count(_("Assigned to me"), _link(inbox, view="mine"), by_view["mine"]),
        ]
    )
    return Section("concerns", str(_("Concerns")), items)


def _measures(user, municipality, today) -> Section | None:
    if not any(
        m.unit_id is not None and m.municipality_id == municipality.pk for m in _memberships(user)
    ):
        return None  # "my unit's measures" lists nothing for a user without a unit
    open_ = measures_for_user(user, municipality).filter(
        status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS], due_date__isnull=False
    )
    counts = open_.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        soon=Count(
            "pk", filter=Q(due_date__gte=today, due_date__lte=today + timedelta(AHEAD_DAYS))
        ),
    )
    items = _keep(
        [
            _count(
                _("Overdue"),
                _link("plans:my_measures", overdue="on"),
                counts["overdue"],
                urgent=True,
            ),
            _count(_("Due within 14 days"), _link("plans:my_measures"), counts["soon"]),
        ]
    )
    return Section("measures", str(_("My unit's measures")), items)


def _memberships(user):
    return memberships_of(user)


# Per project ----------------------------------------------------------------------------------


def _tasks_due(projects, today) -> dict[int, int]:
    """Open routine tasks due within DUE_SOON_DAYS (or overdue), per project. Tasks of a
    project with the same anchor and offset fall due on the same day, so they are counted
    per (project, anchor, offset) in the database and each group's date is worked out once
    (`attach_due_dates`, as the checklist does): the rows read do not grow with the tasks."""
    if not projects:
        return {}
    anchors = anchors_for_projects(projects)
    groups = (
        ProjectTask.objects.filter(
            project_id__in=[p.pk for p in projects], status=ProjectTask.Status.OPEN
        )
        .order_by()
        .values_list("project_id", "anchor_phase", "anchor_milestone", "offset_days")
        .annotate(n=Count("pk"))
    )
    horizon = today + timedelta(DUE_SOON_DAYS)
    by_project: dict[int, int] = {}
    for project_id, phase, milestone, offset, n in groups:
        task = ProjectTask(
            anchor_phase=phase,
            anchor_milestone=milestone,
            offset_days=offset,
            status=ProjectTask.Status.OPEN,
        )
        attach_due_dates([task], anchors[project_id], today)
        if task.due is not None and task.due <= horizon:
            by_project[project_id] = by_project.get(project_id, 0) + n
    return by_project


def _report_item(report) -> Item:
    label = _("Status report %(start)s–%(end)s") % {
        "start": date_format(report.period_start, "SHORT_DATE_FORMAT"),
        "end": date_format(report.period_end, "SHORT_DATE_FORMAT"),
    }
    return Item(str(label), reverse("reports:detail", args=[report.pk]))


def _allowed(user, projects, perm) -> list:
    return [p for p in projects if user.has_perm(perm, p)]


def _project_sections(user, projects, today, now) -> list[Section]:
    """One section per project with what needs the user there (only items > 0, and the
    role's own links: the situation picture, the facility's round, log and council)."""
    meeting_projects = _allowed(user, projects, "meetings.view_meetings")
    manage_projects = {p.pk for p in _allowed(user, projects, "meetings.manage_meetings")}
    survey_projects = {p.pk for p in _allowed(user, projects, "insights.view_survey")}
    risk_projects = {p.pk for p in _allowed(user, projects, "risk.view_analyses")}
    checklist_projects = _allowed(user, projects, "routines.view_checklist")
    round_projects = {p.pk for p in _allowed(user, projects, "facility.walk_rounds")}
    log_projects = {p.pk for p in _allowed(user, projects, "facility.view_incidents")}
    picture_projects = {p.pk for p in _allowed(user, projects, "situation.view_picture")}
    report_projects = {p.pk for p in _allowed(user, projects, "reports.view_project_reports")}

    ids = [p.pk for p in meeting_projects]
    upcoming = Meeting.objects.filter(
        project_id__in=ids, cancelled_at__isnull=True, ends_at__gte=now
    )
    meetings_soon = _grouped(upcoming.filter(starts_at__lte=now + timedelta(AHEAD_DAYS)))
    unsent = _grouped(
        upcoming.filter(project_id__in=manage_projects).filter(
            Exists(Invitation.objects.filter(meeting=OuterRef("pk"), sent_at__isnull=True))
        )
    )
    minutes = _grouped(
        Minutes.objects.filter(
            meeting__project_id__in=manage_projects,
            status__in=[Minutes.Status.DRAFT, Minutes.Status.COMMENTS],
            meeting__cancelled_at__isnull=True,
            meeting__ends_at__lt=now,
        ),
        "meeting__project_id",
    )
    scoring = _grouped(
        ScoringRound.objects.filter(analysis__project_id__in=risk_projects, closed_at__isnull=True),
        "analysis__project_id",
    )
    surveys = _grouped(
        SurveyRound.objects.filter(
            project_id__in=survey_projects, opens_on__lte=today, closes_on__gte=today
        )
    )
    tasks = _tasks_due(checklist_projects, today)
    rounds_today = _grouped(
        Round.objects.filter(
            project_id__in=round_projects,
            started_at__date__gte=today,
        )
    )
    observations = _grouped(
        Observation.objects.filter(
            project_id__in=round_projects, occurred_at__gte=now - timedelta(days=7)
        )
    )
    latest_assessment = {}
    for assessment in (
        Assessment.objects.filter(project_id__in=picture_projects)
        .order_by("project_id", "-period_end", "-pk")
        .only("pk", "project_id", "period_start", "period_end")
    ):
        latest_assessment.setdefault(assessment.project_id, assessment)
    reports: dict[int, list] = {}
    for report in (
        StatusReport.objects.filter(project_id__in=report_projects)
        .order_by("project_id", "-period_end", "-pk")
        .only("pk", "project_id", "period_start", "period_end")
    ):
        own = reports.setdefault(report.project_id, [])
        if len(own) < LATEST_REPORTS:
            own.append(report)

    sections = []
    for project in projects:
        pk = project.pk
        meetings_url = _link("meetings:meeting_list", pk)
        items = _keep(
            [
                _count(_("Meetings in the next 14 days"), meetings_url, meetings_soon.get(pk)),
                _count(
                    _("Meetings with invitations not yet sent"),
                    meetings_url,
                    unsent.get(pk),
                    urgent=True,
                ),
                _count(_("Minutes waiting for approval"), meetings_url, minutes.get(pk)),
                _count(
                    _("Risk scoring rounds open"),
                    _link("risk:analysis_list", pk),
                    scoring.get(pk),
                )
                if pk in risk_projects
                else None,
                _count(_("Survey rounds open"), _link("insights:rounds", pk), surveys.get(pk)),
                _count(
                    _("Routine tasks due within 14 days"),
                    _link("routines:checklist", pk),
                    tasks.get(pk),
                ),
                _count(
                    _("Observations in the last 7 days"),
                    _link("facility:observation_list", pk),
                    observations.get(pk),
                ),
            ]
        )
        links = []
        if pk in round_projects:
            label = (
                _("Today's round (started)") if rounds_today.get(pk) else _("Start today's round")
            )
            links.append(Item(str(label), _link("facility:round_list", pk)))
        if pk in log_projects:
            links.append(Item(str(_("Incident log")), _link("facility:incident_list", pk)))
            if project in meeting_projects:
                links.append(Item(str(_("The council")), _link("meetings:body_list", pk)))
        if pk in picture_projects:
            links.append(Item(str(_("Situation picture")), _link("situation:picture", pk)))
            latest = latest_assessment.get(pk)
            if latest is not None:
                links.append(
                    Item(
                        str(_("Latest assessment")),
                        reverse("situation:assessment_detail", args=[pk, latest.pk]),
                    )
                )
        links += [_report_item(report) for report in reports.get(pk, [])]
        if items or links:
            section = Section(f"project-{pk}", project.name, items, links)
            section.project = project
            sections.append(section)
    return sections


# The page -------------------------------------------------------------------------------------


@dataclass
class Home:
    sections: list[Section]
    projects: list[Section]
    overview: list[Item]

    @property
    def nothing(self) -> bool:
        return not any(s.needs_you for s in [*self.sections, *self.projects]) and not any(
            item.count for item in self.overview
        )


def home_for(user, municipality) -> Home:
    """What needs `user` today in `municipality`."""
    today = timezone.localdate()
    now = timezone.now()
    projects = list(projects_for_user(user, municipality).order_by("name", "pk"))
    sections = [
        s for s in (_concerns(user, municipality), _measures(user, municipality, today)) if s
    ]
    overview = []
    if user.has_perm("insights.view_municipality_dashboard", municipality):
        flagged = flagged_events(municipality)
        url = reverse("insights:municipality_dashboard")
        overview.append(Item(str(_("Municipality overview")), url))
        if flagged:
            overview.append(
                Item(
                    ngettext("Risk event to re-assess", "Risk events to re-assess", flagged),
                    url,
                    count=flagged,
                    urgent=True,
                )
            )
    if user.has_perm("reports.view_municipality_reports", municipality):
        overview.append(Item(str(_("Status reports")), reverse("reports:list")))
        latest = StatusReport.objects.filter(
            municipality=municipality, project__isnull=True
        ).order_by("-period_end", "-pk")[:LATEST_REPORTS]
        overview += [_report_item(report) for report in latest]
    overview += start_page.items_for(user, municipality)  # the archive's, for its keepers
    return Home(
        sections=sections,
        projects=_project_sections(user, projects, today, now),
        overview=overview,
    )
