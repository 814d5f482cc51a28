"""Routine templates (phases with checklist tasks and relative deadlines) and their tasks in
a project.

A routine is versioned: a published version never changes; editing it means a new draft
version that `supersedes` it. A routine without a municipality is shipped with Naboskap and
shared by all. Applying a routine to a project copies its tasks into `ProjectTask` rows, so
later versions of the template never change a running checklist. Due dates are derived from
the project's phase dates and milestone dates when a page reads them (see ADR 0011).
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.projects.models import Phase, Project
from naboskap.tenancy.models import Municipality, Role

# A deadline more than ten years away from its anchor is a typing error.
MAX_OFFSET_DAYS = 3650


class Milestone(models.TextChoices):
    """Milestones every routine may anchor tasks to; a routine can define its own as well."""

    POLITICAL_HEARING = "political_hearing", _("Political hearing")
    POLITICAL_DECISION = "political_decision", _("Political decision")
    FIRST_DIALOGUE_MEETING = "first_dialogue_meeting", _("First dialogue meeting")
    MOVE_IN = "move_in_day", _("Moving-in day")


class Routine(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routines",
        verbose_name=_("municipality"),
        help_text=_(
            "Empty for the routines shipped with Naboskap, which every municipality can use."
        ),
    )
    slug = models.SlugField(
        _("identifier"),
        max_length=80,
        help_text=_("The same for every version of a routine."),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("previous version"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("routine")
        verbose_name_plural = _("routines")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug", "version"],
                condition=Q(municipality__isnull=False),
                name="unique_routine_version",
            ),
            models.UniqueConstraint(
                fields=["slug", "version"],
                condition=Q(municipality__isnull=True),
                name="unique_shipped_routine_version",
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self):
        return reverse("routines:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_shipped(self) -> bool:
        return self.municipality_id is None


class RoutineMilestone(models.Model):
    """A milestone of the routine's own, e.g. "Opening party", beside the standard ones."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="milestones")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "key"], name="unique_routine_milestone")
        ]

    def __str__(self):
        return self.name


class RoutinePhase(models.Model):
    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=150)
    project_phase = models.CharField(
        _("project phase"),
        max_length=20,
        choices=Phase.choices,
        help_text=_("The phase of the project this part of the routine belongs to."),
    )

    class Meta:
        verbose_name = _("routine phase")
        verbose_name_plural = _("routine phases")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "order"], name="unique_routine_phase_order")
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class Anchor(models.Model):
    """What a deadline counts from: the start of a project phase or a milestone (one of
    them), and how many days after it (negative: before)."""

    anchor_phase = models.CharField(
        _("counted from the start of phase"), max_length=20, choices=Phase.choices, blank=True
    )
    anchor_milestone = models.CharField(_("counted from milestone"), max_length=50, blank=True)
    offset_days = models.IntegerField(
        _("days after (negative: before)"),
        default=0,
        validators=[MinValueValidator(-MAX_OFFSET_DAYS), MaxValueValidator(MAX_OFFSET_DAYS)],
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(Q(anchor_phase="") & ~Q(anchor_milestone=""))
                | (~Q(anchor_phase="") & Q(anchor_milestone="")),
                name="%(app_label)s_%(class)s_one_anchor",
            )
        ]


class RoutineTask(Anchor):
    phase = models.ForeignKey(RoutinePhase, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), max_length=5000, blank=True)
    responsible_role = models.CharField(_("responsible role"), max_length=20, choices=Role.choices)

    class Meta(Anchor.Meta):
        verbose_name = _("routine task")
        verbose_name_plural = _("routine tasks")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class ProjectRoutine(models.Model):
    """A routine applied to a project: its tasks were copied into the project's checklist."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="routines")
    routine = models.ForeignKey(Routine, on_delete=models.PROTECT, related_name="applications")
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )

    class Meta:
        verbose_name = _("routine of a project")
        verbose_name_plural = _("routines of projects")
        ordering = ["applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "routine"], name="unique_project_routine")
        ]

    def __str__(self):
        return f"{self.project}: {self.routine}"


class ProjectMilestone(models.Model):
    """The date of a milestone in a project (political hearing, first dialogue meeting…)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="routine_milestones"
    )
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("project milestone")
        verbose_name_plural = _("project milestones")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="unique_project_milestone")
        ]

    def __str__(self):
        return f"{self.name}: {self.date}"


class ProjectTask(Anchor):
    """A routine task copied into a project's checklist, with what shows it was done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        NOT_RELEVANT = "not_relevant", _("Not relevant")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist")
    project_routine = models.ForeignKey(
        ProjectRoutine, on_delete=models.CASCADE, related_name="tasks"
    )
    routine_task = models.ForeignKey(
        RoutineTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phase_order = models.PositiveSmallIntegerField(_("phase order"))
    phase_name = models.CharField(_("phase"), max_length=150)
    project_phase = models.CharField(_("project phase"), max_length=20, choices=Phase.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), max_length=5000, blank=True)
    responsible_role = models.CharField(_("responsible role"), max_length=20, choices=Role.choices)
    # The name of the routine's own milestone, copied so the checklist reads without the template.
    anchor_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    # What shows the task was done: an update, a measure, a meeting, a ROS analysis, a note or
    # a link.
    evidence_update = models.ForeignKey(
        "projects.Update",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("update"),
    )
    evidence_measure = models.ForeignKey(
        "plans.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measure"),
    )
    evidence_meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    evidence_analysis = models.ForeignKey(
        "risk.Analysis",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk and vulnerability analysis"),
    )
    evidence_note = models.TextField(_("note"), max_length=2000, blank=True)
    evidence_url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta(Anchor.Meta):
        verbose_name = _("project task")
        verbose_name_plural = _("project tasks")
        ordering = ["phase_order", "order", "pk"]
        indexes = [models.Index(fields=["project", "status"], name="project_task_status")]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


auditlog.register(Routine)
auditlog.register(RoutinePhase)
auditlog.register(RoutineTask)
auditlog.register(ProjectTask)
