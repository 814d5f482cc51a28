"""The shared situation picture with the police: assessments of a period that the
municipality and the police both sign off.

The picture itself (incidents by week and category) is counted on demand from concerns,
caretaker observations and the facility's incident log (see selectors.py); only the
assessment text and its sign-offs are stored here. Versions and sign-offs are append-only:
an edit adds a version, and a sign-off belongs to the version that was signed.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from naboskap.projects.models import Project


class Party(models.TextChoices):
    MUNICIPALITY = "municipality", _("The municipality")
    POLICE = "police", _("The police")


class Assessment(models.Model):
    """The shared description of the challenge around a project for one period."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="situation_assessments",
        verbose_name=_("project"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # The current version's number, kept on the row so that editing and signing can lock the
    # row and compare it with the version the user read.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("situation assessment")
        verbose_name_plural = _("situation assessments")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="assessment_period_in_order",
            ),
            models.UniqueConstraint(
                fields=["project", "period_start", "period_end"],
                name="unique_assessment_period",
            ),
        ]

    def __str__(self):
        return f"{self.project}: {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("situation:assessment_detail", args=[self.project_id, self.pk])


class AssessmentVersion(models.Model):
    """One version of the assessment text. Never changed once written."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="versions", verbose_name=_("assessment")
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("assessment"), max_length=20000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment version")
        verbose_name_plural = _("assessment versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="unique_assessment_version"
            )
        ]

    def __str__(self):
        return f"{self.assessment} v{self.number}"

    def get_absolute_url(self):
        return reverse(
            "situation:version_detail",
            args=[self.assessment.project_id, self.assessment_id, self.number],
        )


class SignOff(models.Model):
    """One party's agreement to one version. The signer's name is kept as signed."""

    version = models.ForeignKey(
        AssessmentVersion,
        on_delete=models.CASCADE,
        related_name="sign_offs",
        verbose_name=_("version"),
    )
    party = models.CharField(_("for"), max_length=20, choices=Party.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signer_name = models.CharField(_("name"), max_length=200)
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="unique_sign_off_party")
        ]

    def __str__(self):
        return f"{self.version}: {self.get_party_display()} ({self.signer_name})"


auditlog.register(Assessment)
auditlog.register(AssessmentVersion, exclude_fields=["text"])
auditlog.register(SignOff)
