"""What works: the observed effect of each measure that is done, stored by the worker, and
each municipality's settings for it (ADR 0034)."""

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from naboskap.tenancy.models import Municipality


class Settings(models.Model):
    """How a municipality measures what works. A municipality without a row uses the
    defaults (`for_municipality`)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="what_works"
    )
    window_days = models.PositiveSmallIntegerField(
        _("window before and after (days)"),
        default=90,
        validators=[MinValueValidator(14), MaxValueValidator(365)],
        help_text=_(
            "A measure's effect compares this many days before it was done with as many after."
        ),
    )
    minimum_concerns = models.PositiveSmallIntegerField(
        _("fewest concerns for an estimate"),
        default=6,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_(
            "Below this many concerns before and after together, Naboskap says “too little data”."
        ),
    )
    share_across = models.BooleanField(
        _("share what worked with the other municipalities"),
        default=False,
        help_text=_(
            "The other municipalities of this Naboskap see your measures' effects in their "
            "catalogue, without names, places or free text, and you see theirs."
        ),
    )
    # The trust barometer's weighting (`barometer`): how much each part counts in the total.
    # A part without data in a month is left out and the others' weights are scaled up.
    weight_survey = models.PositiveSmallIntegerField(
        _("weight of the survey trend"),
        default=30,
        validators=[MaxValueValidator(100)],
        help_text=_("The neighbour safety survey's mean answer."),
    )
    weight_concerns = models.PositiveSmallIntegerField(
        _("weight of concerns against the risk analysis"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("Concerns about the analysis's unwanted events against what it expects."),
    )
    weight_answers = models.PositiveSmallIntegerField(
        _("weight of answers on time"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("Concerns answered by their deadline."),
    )
    weight_promises = models.PositiveSmallIntegerField(
        _("weight of promises kept"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("Open measures that are not past their due date."),
    )
    weight_council = models.PositiveSmallIntegerField(
        _("weight of council activity"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("Councils that meet as often as agreed, and who comes."),
    )

    class Meta:
        verbose_name = _("what works settings")
        verbose_name_plural = _("what works settings")

    def __str__(self):
        return str(self.municipality)

    @classmethod
    def for_municipality(cls, municipality_id: int) -> "Settings":
        found = cls.objects.filter(municipality_id=municipality_id).first()
        return found or cls(municipality_id=municipality_id)

    @property
    def weights(self) -> dict[str, int]:
        """The trust barometer's weight of each part, by part key (`BAROMETER_PARTS`)."""
        return {part: getattr(self, f"weight_{part}") for part in BAROMETER_PARTS}


class Effect(models.Model):
    """A done measure's observed effect: what was counted in the window before the day it
    was done and in the window after, with a 95 % interval for the change. Made again by
    the worker (`services.compute_effects`); never edited by hand."""

    measure = models.OneToOneField("plans.Measure", on_delete=models.CASCADE, related_name="effect")
    done_on = models.DateField()
    window_days = models.PositiveSmallIntegerField()
    # Days of the after window that have passed (the before window is always whole).
    after_days = models.PositiveSmallIntegerField()
    # Concerns in the categories and unwanted events the measure addresses.
    concerns_before = models.PositiveIntegerField()
    concerns_after = models.PositiveIntegerField()
    # After over before, per day; None when it cannot be estimated (too little data).
    ratio = models.FloatField(null=True)
    ratio_low = models.FloatField(null=True)
    ratio_high = models.FloatField(null=True)  # None also when unbounded (no concern before)
    too_little_data = models.BooleanField()
    # The neighbour survey: mean score (1–5) of the responses in each window, and the
    # 95 % interval of the difference after minus before.
    survey_before = models.FloatField(null=True)
    survey_after = models.FloatField(null=True)
    survey_responses_before = models.PositiveIntegerField(default=0)
    survey_responses_after = models.PositiveIntegerField(default=0)
    survey_change_low = models.FloatField(null=True)
    survey_change_high = models.FloatField(null=True)
    # A council's meetings: members present per meeting in each window.
    council_meetings_before = models.PositiveIntegerField(default=0)
    council_meetings_after = models.PositiveIntegerField(default=0)
    council_present_before = models.PositiveIntegerField(default=0)
    council_present_after = models.PositiveIntegerField(default=0)
    # What else happened in the project in the two windows, newest last:
    # [{"date": "2026-05-04", "kind": "measure" | "phase", "what": "…"}].
    meanwhile = models.JSONField(default=list)
    # What it addresses, for the catalogue: category codes and unwanted events' titles.
    category_codes = models.JSONField(default=list)
    event_titles = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("observed effect")
        verbose_name_plural = _("observed effects")

    def __str__(self):
        return f"{self.measure_id}: {self.concerns_before} → {self.concerns_after}"

    @property
    def change_percent(self) -> int | None:
        """The change in concerns per day, in percent (−40 for a ratio of 0.6)."""
        return None if self.ratio is None else round((self.ratio - 1) * 100)

    @property
    def council_before(self) -> float | None:
        if not self.council_meetings_before:
            return None
        return self.council_present_before / self.council_meetings_before

    @property
    def council_after(self) -> float | None:
        if not self.council_meetings_after:
            return None
        return self.council_present_after / self.council_meetings_after


# The trust barometer's parts, in the order they are shown (`barometer` says how each is
# scored, and `Settings` holds each municipality's weight of each).
BAROMETER_PARTS = ("survey", "concerns", "answers", "promises", "council")


class BarometerReading(models.Model):
    """A project's trust barometer for one calendar month: each part's score (0–100, None
    when the part has no data that month) with the figures behind it, and the weighted total.
    Made by the worker (`barometer.update_readings`); the current month's is made again as
    the month goes on (`as_of`), a month's reading made after it ended is kept as it is."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="barometer_readings"
    )
    month = models.DateField()  # the first day of the month
    # The day the figures describe: the month's last day, or the day it was made on while
    # the month was still going.
    as_of = models.DateField()
    # The neighbour safety survey: the mean answer (1–5) of the newest round that opened by
    # `as_of` with enough responses, and that of the round before it.
    survey_score = models.PositiveSmallIntegerField(null=True)
    survey_mean = models.FloatField(null=True)
    survey_responses = models.PositiveIntegerField(default=0)
    survey_round = models.CharField(max_length=200, blank=True)
    survey_previous_mean = models.FloatField(null=True)
    # Concerns in the month about the current analyses' unwanted events, against the most
    # their assessed probabilities allow in the days counted; and those linked to no event.
    concerns_score = models.PositiveSmallIntegerField(null=True)
    concerns_observed = models.PositiveIntegerField(default=0)
    concerns_expected = models.FloatField(null=True)
    concerns_events = models.PositiveIntegerField(default=0)
    concerns_unlinked = models.PositiveIntegerField(default=0)
    # Concerns whose answer was due in the month, and how many were answered by then.
    answers_score = models.PositiveSmallIntegerField(null=True)
    answers_due = models.PositiveIntegerField(default=0)
    answers_on_time = models.PositiveIntegerField(default=0)
    # Measures open on `as_of`, and how many of them were past their due date.
    promises_score = models.PositiveSmallIntegerField(null=True)
    promises_open = models.PositiveIntegerField(default=0)
    promises_overdue = models.PositiveIntegerField(default=0)
    # The project's councils: how many met within their own interval up to `as_of`, the
    # meetings in those intervals and the attendance recorded at them.
    council_score = models.PositiveSmallIntegerField(null=True)
    council_bodies = models.PositiveIntegerField(default=0)
    council_bodies_met = models.PositiveIntegerField(default=0)
    council_meetings = models.PositiveIntegerField(default=0)
    council_present = models.PositiveIntegerField(default=0)
    council_recorded = models.PositiveIntegerField(default=0)
    # The parts' scores weighted by `weights` (the municipality's when it was made), over
    # the parts with data; None when no part has data.
    total = models.PositiveSmallIntegerField(null=True)
    weights = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    # When the coordinators were told that the total fell for the second month in a row
    # (claimed once, so that a second run does not tell them again).
    falling_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trust barometer reading")
        verbose_name_plural = _("trust barometer readings")
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"], name="whatworks_one_reading_per_month"
            )
        ]

    def __str__(self):
        return f"{self.project_id} {self.month:%Y-%m}: {self.total}"

    @property
    def is_complete(self) -> bool:
        """Whether the month had ended when the reading was made."""
        return self.as_of.month != (self.as_of + timedelta(days=1)).month

    def score(self, part: str) -> int | None:
        return getattr(self, f"{part}_score")
