"""The action and collaboration plan: measures (promises someone must keep) and inputs.

`Measure` is the hub every capability ends in. It records where it came from with nullable
foreign keys declared by string, at most one of them set, so this app imports none of the
source apps' code; the source apps create measures through `plans.services`.
"""

import operator
from functools import reduce
from itertools import combinations

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from naboskap.projects.models import Phase, Project
from naboskap.tenancy.models import Unit

# The source foreign keys of a measure, in the order the plan groups them. Apps that land
# later (risk, meetings, stakeholders, routines) add theirs here and to the constraint.
SOURCE_FIELDS = [
    "concern",
    "input",
    "unwanted_event",
    "routine_task",
    "interaction",
    "decision",
    "observation",
]


def at_most_one_set(fields: list[str]) -> Q:
    """A condition that holds when at most one of the nullable `fields` is set."""
    pairs = [
        Q(**{f"{a}__isnull": True}) | Q(**{f"{b}__isnull": True})
        for a, b in combinations(fields, 2)
    ]
    return reduce(operator.and_, pairs, Q())


class Input(models.Model):
    """Something neighbours or others said, and what the municipality decided about it."""

    class Origin(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        PUBLIC_FORM = "public_form", _("Public suggestion form")
        INTERACTION = "interaction", _("Conversation or contact")
        LETTER = "letter", pgettext_lazy("post", "Letter")
        EMAIL = "email", _("Email")

    class Decision(models.TextChoices):
        UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
        ADOPTED = "adopted", _("Adopted")
        PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    class Moderation(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Not published")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("project")
    )
    text = models.TextField(_("what was said"), max_length=5000)
    origin = models.CharField(_("where it came from"), max_length=20, choices=Origin.choices)
    from_whom = models.CharField(
        _("from whom"),
        max_length=200,
        blank=True,
        help_text=_("A stakeholder or group, or leave empty for anonymous."),
    )
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    received_on = models.DateField(_("received"), default=timezone.localdate)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=Decision.choices,
        default=Decision.UNDER_CONSIDERATION,
    )
    decision_reason = models.TextField(
        _("reason for the decision"),
        max_length=5000,
        blank=True,
        help_text=_("Shown on the public page once the input is published."),
    )
    # Public submissions stay private until staff publish a curated text.
    public_text = models.TextField(
        _("public text"),
        max_length=2000,
        blank=True,
        help_text=_("What the public page shows. Leave out names and personal details."),
    )
    moderation = models.CharField(
        _("publication"), max_length=20, choices=Moderation.choices, default=Moderation.PENDING
    )
    contact_email = models.EmailField(_("email"), blank=True)
    # When the input got its answer (a decision other than "under consideration"), and when
    # the retention rule erased the sender's email (`apply_input_retention`).
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    contact_erased_at = models.DateTimeField(
        _("email deleted"), null=True, blank=True, editable=False
    )
    # Set by the public form, so that a double click or a retry stores one input.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    class Meta:
        verbose_name = _("input")
        verbose_name_plural = _("inputs")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["project", "moderation"], name="input_project_moderation")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_input_submission",
            )
        ]

    def __str__(self):
        # Never what was said: the audit log keeps this, and plans and exports that name a
        # measure's source are read by more people than those who handle inputs.
        return self.reference

    def get_absolute_url(self):
        return reverse("inputs:detail", args=[self.project_id, self.pk])

    @property
    def reference(self) -> str:
        return f"#{self.pk}"


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        """How a measure acts on a risk (ROS); other measures leave it empty."""

        PROBABILITY = "probability", _("Probability-reducing")
        CONSEQUENCE = "consequence", _("Consequence-reducing")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="measures", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (internal)"), max_length=5000, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, blank=True)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="measures", verbose_name=_("owner unit")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # The day it was marked done (plans.services keeps it), from which its observed effect is
    # measured (naboskap.whatworks).
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # The concern categories whose concerns it is meant to reduce, besides its source's.
    categories = models.ManyToManyField(
        "concerns.Category",
        blank=True,
        related_name="measures",
        verbose_name=_("concern categories it addresses"),
        help_text=_("Its observed effect is counted on the concerns in these categories."),
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, blank=True)
    is_public = models.BooleanField(_("show on the public project page"), default=False)
    public_text = models.TextField(
        _("public text"),
        max_length=2000,
        blank=True,
        help_text=_("What neighbours see. Leave out names and anything about residents."),
    )
    # Where the measure came from: at most one is set (see SOURCE_FIELDS).
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("concern"),
    )
    input = models.ForeignKey(
        Input,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("input"),
    )
    unwanted_event = models.ForeignKey(
        "risk.UnwantedEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("unwanted event"),
    )
    routine_task = models.ForeignKey(
        "routines.ProjectTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("routine task"),
    )
    interaction = models.ForeignKey(
        "stakeholders.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("interaction"),
    )
    decision = models.ForeignKey(
        "meetings.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("meeting decision"),
    )
    observation = models.ForeignKey(
        "facility.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("caretaker observation"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["owner_unit", "status", "due_date"], name="measure_unit_due"),
            models.Index(fields=["project", "status"], name="measure_project_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=at_most_one_set(SOURCE_FIELDS),
                name="measure_at_most_one_source",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="measure_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:measure_detail", args=[self.project_id, self.pk])

    @property
    def source_field(self) -> str:
        """The name of the source foreign key that is set, or "" for a measure of its own."""
        return next((f for f in SOURCE_FIELDS if getattr(self, f"{f}_id") is not None), "")

    @property
    def source(self):
        """The object the measure came from (load it with select_related), or None."""
        return getattr(self, self.source_field) if self.source_field else None

    @property
    def source_label(self) -> str:
        """What kind of source it is ("Concern"), or "" for a measure of its own."""
        if not self.source_field:
            return ""
        return str(self._meta.get_field(self.source_field).verbose_name).capitalize()

    @property
    def source_name(self) -> str:
        """The source's reference where it has one (a concern's), else its text."""
        source = self.source
        if source is None:
            return ""
        return getattr(source, "reference", None) or str(source)

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
            and self.due_date < timezone.localdate()
        )


class Participation(models.Model):
    """A unit's part in a measure (RACI)."""

    class Part(models.TextChoices):
        RESPONSIBLE = "responsible", _("Responsible")
        ACCOUNTABLE = "accountable", _("Accountable")
        CONSULTED = "consulted", _("Consulted")
        INFORMED = "informed", _("Informed")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="participations")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="participations", verbose_name=_("unit")
    )
    part = models.CharField(_("part"), max_length=20, choices=Part.choices)

    class Meta:
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        constraints = [
            models.UniqueConstraint(fields=["measure", "unit"], name="unique_measure_unit")
        ]

    def __str__(self):
        return f"{self.unit}: {self.get_part_display()}"


class MeasureChange(models.Model):
    """Append-only history of a measure: who changed what, when."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="history")
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # {"field": [old, new]} with display values, so the history reads without lookups.
    changes = models.JSONField(_("changes"), default=dict)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("measure change")
        verbose_name_plural = _("measure changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.measure} {self.changed_at:%Y-%m-%d %H:%M}"


class OverdueReminder(models.Model):
    """That a unit was sent its weekly list of overdue measures for a week: claimed before
    the email goes, so a second run (cron and the worker, or a retry) sends nothing twice."""

    unit = models.ForeignKey("tenancy.Unit", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week (its Monday)"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        constraints = [
            models.UniqueConstraint(fields=["unit", "week"], name="plans_overdue_reminder_once")
        ]

    def __str__(self):
        return f"{self.unit} {self.week:%G-W%V}"


# Who changed a measure or a unit's part in it, and when (django-auditlog); MeasureChange
# is the history people read, this is the audit trail.
auditlog.register(Measure, exclude_fields=["updated_at"])
auditlog.register(Participation)
# Of an input, how it was handled; never what was said, by whom or their address, so that
# the audit log keeps no personal data the input itself may lose. Each opening of an input's
# page is logged too (auditlog's access log, see plans.inputs.access).
auditlog.register(
    Input,
    include_fields=[
        "project",
        "origin",
        "theme",
        "decision",
        "decision_reason",
        "moderation",
        "contact_erased_at",
    ],
)
