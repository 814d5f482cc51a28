"""Risk and vulnerability analyses (ROS) after the Norwegian method (DSB's guidance for
municipal ROS analyses, terms from NS 5814).

A municipality's scales (`RiskScale`) have immutable versions (`ScaleVersion`): probability
levels, consequence dimensions with their levels, and the matrix whose cells carry an
explicit colour. An analysis points at the version it was made with; editing a scale that
is in use makes a new version, so old analyses keep theirs. The scale's content (level names
and definitions) is municipality data, written in bokmål, not UI text.
"""

import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.projects.models import Project
from naboskap.tenancy.models import Municipality


class Colour(models.TextChoices):
    """A matrix cell's colour, which is also its acceptance criterion."""

    GREEN = "green", _("Green: acceptable")
    YELLOW = "yellow", _("Yellow: consider measures")
    RED = "red", _("Red: not acceptable")


# Severity order of the colours: a higher number is a worse cell.
COLOUR_RANK = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
# The word written in a cell, so that colour is not the only cue.
COLOUR_WORD = {Colour.GREEN: _("Green"), Colour.YELLOW: _("Yellow"), Colour.RED: _("Red")}


class RiskScale(models.Model):
    class Preset(models.TextChoices):
        NABOLAG = "nabolag", _("Neighbourhood (Nabolag)")
        DSB = "dsb", _("DSB comprehensive ROS")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="risk_scales"
    )
    name = models.CharField(_("name"), max_length=150)
    preset = models.CharField(_("preset"), max_length=20, choices=Preset.choices)
    is_default = models.BooleanField(_("default for new analyses"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk scale")
        verbose_name_plural = _("risk scales")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_risk_scale_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("risk:scale_detail", args=[self.pk])


class ScaleVersion(models.Model):
    """One version of a scale. Frozen (never changed again) once an analysis uses it."""

    scale = models.ForeignKey(RiskScale, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    size = models.PositiveSmallIntegerField(_("levels"))
    criteria_green = models.TextField(_("acceptance criterion, green"), max_length=2000)
    criteria_yellow = models.TextField(_("acceptance criterion, yellow"), max_length=2000)
    criteria_red = models.TextField(_("acceptance criterion, red"), max_length=2000)
    frozen_at = models.DateTimeField(_("in use since"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scale version")
        verbose_name_plural = _("scale versions")
        ordering = ["scale", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "number"], name="unique_scale_version"),
            models.CheckConstraint(condition=Q(size__in=[4, 5]), name="scale_size_4_or_5"),
        ]

    def __str__(self):
        return f"{self.scale} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def criteria(self, colour: str) -> str:
        return getattr(self, f"criteria_{colour}")


class Level(models.Model):
    """A level of a scale: its number (1 is the lowest), name and written definition."""

    value = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=100)
    definition = models.TextField(_("definition"), max_length=1000)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.value} {self.name}"


class ProbabilityLevel(Level):
    version = models.ForeignKey(
        ScaleVersion, on_delete=models.CASCADE, related_name="probability_levels"
    )
    # For "observed against assessed" (docs/risk.md): the level observed when an event's
    # concerns over the last 12 months number at least this many. Blank: not comparable.
    observed_per_year_from = models.FloatField(
        _("observed per year from"),
        null=True,
        blank=True,
        help_text=_(
            "An event with at least this many linked concerns in the last 12 months is "
            "observed at this level."
        ),
    )

    class Meta:
        ordering = ["version", "value"]
        constraints = [
            models.UniqueConstraint(fields=["version", "value"], name="unique_probability_level")
        ]


class ConsequenceDimension(models.Model):
    """What a consequence is measured in: life and health, material values, trust…"""

    version = models.ForeignKey(ScaleVersion, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Every event must be scored in this dimension.")
    )

    class Meta:
        ordering = ["version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_dimension_key")
        ]

    def __str__(self):
        return self.name


class ConsequenceLevel(Level):
    dimension = models.ForeignKey(
        ConsequenceDimension, on_delete=models.CASCADE, related_name="levels"
    )

    class Meta:
        ordering = ["dimension", "value"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "value"], name="unique_consequence_level")
        ]


class MatrixCell(models.Model):
    version = models.ForeignKey(ScaleVersion, on_delete=models.CASCADE, related_name="cells")
    probability = models.PositiveSmallIntegerField(_("probability"))
    consequence = models.PositiveSmallIntegerField(_("consequence"))
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)

    class Meta:
        ordering = ["version", "-probability", "consequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "probability", "consequence"], name="unique_matrix_cell"
            )
        ]

    def __str__(self):
        return f"{self.probability}×{self.consequence}: {self.colour}"


class Analysis(models.Model):
    """One revision of a project's ROS analysis. A new revision copies the events."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("For review")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="risk_analyses", verbose_name=_("project")
    )
    scale_version = models.ForeignKey(
        ScaleVersion,
        on_delete=models.PROTECT,
        related_name="analyses",
        verbose_name=_("scale"),
    )
    # All revisions of one analysis share the series.
    series = models.UUIDField(default=uuid.uuid4, editable=False)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_revisions",
        verbose_name=_("previous revision"),
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose and scope"), max_length=5000)
    method = models.TextField(
        _("method"),
        max_length=5000,
        blank=True,
        help_text=_("How the analysis was made: sources, meetings, how scores were settled."),
    )
    area_description = models.TextField(_("description of the area"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    next_revision_on = models.DateField(_("next revision"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("risk and vulnerability analysis")
        verbose_name_plural = _("risk and vulnerability analyses")
        ordering = ["project", "title", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["series", "revision"], name="unique_analysis_revision")
        ]

    def __str__(self):
        return f"{self.title} ({self.revision})"

    def get_absolute_url(self):
        return reverse("risk:analysis_detail", args=[self.project_id, self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Participant(models.Model):
    """Who took part: a named person or an anonymous group ("3 naboer fra velforeningen")."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Named person")
        GROUP = "group", _("Group")

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name or group"), max_length=200)
    represents = models.CharField(_("represents"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["analysis", "pk"]

    def __str__(self):
        return self.name


class AnalysisMeeting(models.Model):
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["analysis", "held_on", "pk"]

    def __str__(self):
        return f"{self.held_on}"


class StatusChange(models.Model):
    """Append-only history of an analysis's status. Rows are never edited."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Analysis.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Analysis.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.analysis}: {self.get_to_status_display()}"


class UnwantedEvent(models.Model):
    class Knowledge(models.TextChoices):
        STRONG = "strong", _("Strong")
        MEDIUM = "medium", _("Medium")
        WEAK = "weak", _("Weak")

    class Acceptance(models.TextChoices):
        PENDING = "", _("Not decided")
        ACCEPTED = "accepted", _("Accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="events")
    number = models.PositiveSmallIntegerField(_("number"))
    # The same event in the previous revision; every revision of it shares the lineage.
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_revisions"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"), max_length=5000, blank=True)
    causes = models.TextField(
        _("causes"), max_length=5000, blank=True, help_text=_("One cause per line.")
    )
    existing_barriers = models.TextField(
        _("existing barriers"), max_length=5000, blank=True, help_text=_("One per line.")
    )
    vulnerability = models.TextField(_("vulnerability"), max_length=5000, blank=True)
    knock_on_effects = models.TextField(
        _("knock-on effects"), max_length=5000, blank=True, help_text=_("One per line.")
    )
    probability = models.PositiveSmallIntegerField(_("probability"), null=True, blank=True)
    probability_justification = models.TextField(
        _("justification of the probability"), max_length=5000, blank=True
    )
    residual_probability = models.PositiveSmallIntegerField(
        _("probability after measures"), null=True, blank=True
    )
    residual_probability_justification = models.TextField(
        _("justification of the probability after measures"), max_length=5000, blank=True
    )
    knowledge = models.CharField(
        _("strength of knowledge"), max_length=10, choices=Knowledge.choices, blank=True
    )
    knowledge_data = models.CharField(
        _("data and experience"), max_length=10, choices=Knowledge.choices, blank=True
    )
    knowledge_understanding = models.CharField(
        _("understanding of the phenomenon"), max_length=10, choices=Knowledge.choices, blank=True
    )
    knowledge_agreement = models.CharField(
        _("agreement among participants"), max_length=10, choices=Knowledge.choices, blank=True
    )
    sensitivity_note = models.TextField(
        _("sensitivity"),
        max_length=2000,
        blank=True,
        help_text=_("Which assumptions would change the result if they were wrong."),
    )
    acceptance = models.CharField(
        _("acceptance decision"),
        max_length=20,
        choices=Acceptance.choices,
        blank=True,
        default=Acceptance.PENDING,
    )
    acceptance_reason = models.TextField(_("reason for the decision"), max_length=2000, blank=True)
    # For the participatory scoring rounds (a later step): the spread of the participants'
    # scores that the coordinator settled on, e.g. {"probability": {"2": 3, "3": 5}}.
    settled_spread = models.JSONField(_("settled spread"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unwanted event")
        verbose_name_plural = _("unwanted events")
        ordering = ["analysis", "number"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "number"], name="unique_event_number"),
            models.UniqueConstraint(fields=["analysis", "lineage"], name="unique_event_lineage"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse(
            "risk:event_detail", args=[self.analysis.project_id, self.analysis_id, self.pk]
        )


class ScoringRound(models.Model):
    """Participants score chosen events of an analysis from their phones, anonymously,
    through a short public code. The coordinator closes the round and settles the values."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="scoring_rounds")
    code = models.CharField(_("code"), max_length=12, unique=True)
    events = models.ManyToManyField(
        UnwantedEvent, through="RoundEvent", related_name="scoring_rounds"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("scoring round")
        verbose_name_plural = _("scoring rounds")
        ordering = ["analysis", "-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis"],
                condition=Q(closed_at__isnull=True),
                name="one_open_round_per_analysis",
            )
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse(
            "risk:round_detail", args=[self.analysis.project_id, self.analysis_id, self.pk]
        )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundEvent(models.Model):
    """An event in a round, and when the coordinator settled its values."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="items")
    event = models.ForeignKey(UnwantedEvent, on_delete=models.CASCADE, related_name="+")
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["round", "event__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "event"], name="unique_round_event")
        ]

    def __str__(self):
        return f"{self.round}: {self.event}"


class Vote(models.Model):
    """One device's anonymous score of one event in one round. `device` is a keyed hash of
    the random id in the participant's signed cookie, never the id itself."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="votes")
    event = models.ForeignKey(UnwantedEvent, on_delete=models.CASCADE, related_name="votes")
    device = models.CharField(max_length=64)
    # None: the participant answered "don't know" (no score, as a missing dimension below).
    probability = models.PositiveSmallIntegerField(_("probability"), null=True, blank=True)
    # Consequence level per dimension key of the analysis's scale version: {"tillit": 3}.
    # A dimension left out was answered "don't know" (or "not relevant").
    consequences = models.JSONField(_("consequences"), default=dict)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["round", "event", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "event", "device"], name="one_vote_per_device_and_event"
            )
        ]

    def __str__(self):
        return f"{self.round}: {self.event_id}"


class ConsequenceScore(models.Model):
    """An event's consequence in one dimension, before or after measures."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before measures")
        AFTER = "after", _("After measures")

    event = models.ForeignKey(UnwantedEvent, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(
        ConsequenceDimension, on_delete=models.PROTECT, related_name="scores"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    level = models.PositiveSmallIntegerField(_("consequence"))
    justification = models.TextField(_("justification"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("consequence score")
        verbose_name_plural = _("consequence scores")
        ordering = ["event", "stage", "dimension__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "dimension", "stage"], name="unique_consequence_score"
            )
        ]

    def __str__(self):
        return f"{self.event}: {self.dimension} {self.level}"


class PublishedSummary(models.Model):
    """The public summary of an approved analysis, as it was published: a snapshot, so that
    later staff edits show only when the summary is published again. One per analysis
    series; publishing a newer revision replaces it."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="risk_summaries",
        verbose_name=_("project"),
    )
    series = models.UUIDField(unique=True)
    analysis = models.ForeignKey(
        Analysis,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published revision"),
    )
    # What the public sees, written when published: events with their public descriptions,
    # risk before and after, measures, the organisations that took part (never persons).
    content = models.JSONField(_("content"), default=dict)
    first_published_at = models.DateTimeField(_("first published"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("published risk summary")
        verbose_name_plural = _("published risk summaries")
        ordering = ["project", "-published_at"]

    def __str__(self):
        return f"{self.project}: {self.content.get('approved_on', '')}"

    @property
    def is_updated(self) -> bool:
        return self.published_at > self.first_published_at


auditlog.register(RiskScale)
auditlog.register(Analysis)
auditlog.register(UnwantedEvent, exclude_fields=["changed_at"])
auditlog.register(ConsequenceScore)
auditlog.register(ScoringRound)
auditlog.register(PublishedSummary)
