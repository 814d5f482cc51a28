"""The neighbour safety survey (trygghetsundersøkelse).

A municipality keeps survey templates of ordered questions; a project runs rounds of one
template (say yearly), shared by a public link. Responses are anonymous by design: a response
stores its round and the date only, never a user, an address or a time of day.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LIKERT_VALUES = range(1, 6)
# A letter's QR code opens the survey at `<address>#kode=<code>` (see docs/survey.md).
CODE_FRAGMENT = "kode"


def new_token() -> str:
    return secrets.token_urlsafe(12)


class SurveyTemplate(models.Model):
    """An ordered set of questions. The first round that uses a template freezes it
    (`frozen_at`): from then on it never changes, so past results keep meaning what was
    asked. A change is made on a copy, the next `version`, which points at `previous`."""

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="survey_templates"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "version", "pk"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="insights_template_code_unique"
            )
        ]

    def __str__(self) -> str:
        if self.version > 1:
            return _("%(name)s, version %(version)s") % {"name": self.name, "version": self.version}
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("insights:template_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Agree or disagree (1–5)")
        OPEN = "open", _("Open answer")

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    # The question's identity across template versions: the trend across rounds compares
    # questions with the same key, whatever their wording or position.
    key = models.SlugField(_("key"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question (Bokmål)"), max_length=300)
    text_nn = models.CharField(_("question (Nynorsk)"), max_length=300, blank=True)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="insights_question_position_unique"
            ),
            models.UniqueConstraint(
                fields=["template", "key"], name="insights_question_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.localized

    @property
    def localized(self) -> str:
        return {"nn": self.text_nn, "en": self.text_en}.get(get_language(), "") or self.text

    @property
    def is_likert(self) -> bool:
        return self.kind == self.Kind.LIKERT


class SurveyRound(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="survey_rounds"
    )
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["opens_on", "pk"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="insights_round_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() <= self.closes_on


class Response(models.Model):
    """One anonymous answer sheet: its round and the date, nothing that identifies anyone."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("submitted"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.round} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # 1–5 for a Likert question; empty for "don't know" or an open question.
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="insights_answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1, value__lte=5),
                name="insights_answer_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value if self.value is not None else self.text}"


class SurveyCode(models.Model):
    """A single-use code printed on one invitation letter. Only a keyed hash is stored, and
    whether it was used: never which response it gave."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("survey code")
        verbose_name_plural = _("survey codes")

    def __str__(self) -> str:
        return f"{self.round}: {self.digest[:8]}"
