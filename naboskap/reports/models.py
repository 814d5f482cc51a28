"""Status reports for the political level, and the schedules that make them.

A report is kept as it was made: its figures (`data`) and its text (`body_html`) are frozen
when it is created, and its PDF is rendered once from that text (a stored document, see
`documents`), so a kept report never changes when the data behind it changes later. A
report holds no personal data: no names of reporters, residents, neighbours or staff, only
counts, titles of staff or public objects and unit names.
"""

from __future__ import annotations

import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def report_pdf_path(instance, filename: str) -> str:
    """Where reports kept their PDFs before those were stored documents (migration 0001)."""
    return f"reports/{instance.municipality_id}/{secrets.token_hex(16)}.pdf"


class ReportSchedule(models.Model):
    """Make a report for a municipality (project empty) or one project at the start of every
    month or quarter, covering the period just ended, and email its politicians a link."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="report_schedules"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_schedules",
    )
    frequency = models.CharField(
        _("how often"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    active = models.BooleanField(_("make reports on this schedule"), default=True)
    # The first day of a month or quarter: the run on this day covers the period before it.
    next_run_on = models.DateField(_("next report"), editable=False)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(project__isnull=True),
                name="reports_one_municipality_schedule",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(project__isnull=False),
                name="reports_one_project_schedule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project or self.municipality}: {self.get_frequency_display()}"


class StatusReport(models.Model):
    class Trigger(models.TextChoices):
        ON_DEMAND = "on_demand", _("Made on demand")
        SCHEDULED = "scheduled", _("Made on schedule")

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="status_reports"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_reports",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # "Since the last report": the day after the previous report's period for the same
    # scope ended, or the period's start when there was none.
    since = models.DateField(_("since"))
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices, editable=False)
    schedule = models.ForeignKey(
        ReportSchedule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        editable=False,
    )
    language = models.CharField(max_length=5, editable=False)
    title = models.CharField(_("title"), max_length=300, editable=False)
    # The frozen figures (plain JSON) and the report's text as rendered when it was made.
    data = models.JSONField(default=dict, editable=False, encoder=DjangoJSONEncoder)
    body_html = models.TextField(editable=False)
    is_empty = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["-period_end", "-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "project", "-period_end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="reports_period_order"
            ),
            # One report per schedule and period, however many workers run the schedule.
            models.UniqueConstraint(
                fields=["schedule", "period_start"],
                condition=Q(schedule__isnull=False),
                name="reports_one_per_scheduled_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def scope_name(self) -> str:
        return self.project.name if self.project_id else self.municipality.name


# Who changed a schedule, and when; reports themselves never change.
auditlog.register(ReportSchedule, exclude_fields=["changed_at", "last_run_at", "next_run_on"])
