"""Caretaker rounds, their observations, and the facility's incident log.

Nothing here is about who the residents are: observations and incidents describe what
happened and where. The police situation picture counts them by week and category.
"""

import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.storage import private_storage
from naboskap.projects.models import Project


class Category(models.TextChoices):
    """The same codes as the default concern categories (concerns.services.DEFAULT_CATEGORIES),
    so observations, incidents and concerns can be counted together."""

    NOISE = "noise", _("Noise")
    TRAFFIC = "traffic", _("Traffic and parking")
    LITTER = "litter", _("Litter and syringes")
    THREATS = "threats", _("Threats or violence")
    DAMAGE = "damage", _("Damage to property")
    CHILDREN = "children", _("Children's and young people's safety")
    OTHER = "other", _("Other")


def observation_photo_path(instance, filename: str) -> str:
    """A random, unguessable name; nothing from the uploaded file's name is kept."""
    extension = "png" if instance.photo_content_type == "image/png" else "jpg"
    return f"facility/{secrets.token_urlsafe(24)}.{extension}"


class Round(models.Model):
    """A caretaker's (or facility staff member's) walk around the site."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("project")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    note = models.TextField(_("summary"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["project", "-started_at"], name="round_project_started")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="round_ends_after_start",
            )
        ]

    def __str__(self):
        when = timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M")
        return str(_("Round %(date)s") % {"date": when})

    def get_absolute_url(self):
        return reverse("facility:round_detail", args=[self.project_id, self.pk])

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Observation(models.Model):
    """Something seen on a round (or "all calm"). No personal data about residents."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="observations", verbose_name=_("project")
    )
    round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("round"),
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    all_calm = models.BooleanField(_("all calm"), default=False)
    place = models.CharField(_("where"), max_length=200, blank=True)
    text = models.TextField(_("what you saw"), max_length=2000, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to=observation_photo_path,
        storage=private_storage,
        max_length=200,
        blank=True,
    )
    photo_content_type = models.CharField(max_length=20, blank=True)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("concern"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-occurred_at"], name="observation_project_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(all_calm=True) | ~Q(category=""),
                name="observation_has_category",
            )
        ]

    def __str__(self):
        if self.all_calm:
            return str(_("All calm"))
        label = self.get_category_display()
        return f"{label}: {self.place}" if self.place else str(label)

    def get_absolute_url(self):
        return reverse("facility:observation_detail", args=[self.project_id, self.pk])

    def get_photo_url(self):
        return reverse("facility:observation_photo", args=[self.project_id, self.pk])


class Incident(models.Model):
    """An entry in the facility's incident log, followed up until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FOLLOWED_UP = "followed_up", _("Followed up")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("project")
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    affects_neighbours = models.BooleanField(_("affects neighbours"), default=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    description = models.TextField(_("what happened"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-occurred_at"], name="incident_project_time"),
            models.Index(fields=["project", "status"], name="incident_project_status"),
        ]

    def __str__(self):
        when = timezone.localtime(self.occurred_at).strftime("%Y-%m-%d")
        return f"{when} {self.get_category_display()}"

    def get_absolute_url(self):
        return reverse("facility:incident_detail", args=[self.project_id, self.pk])


class FollowUp(models.Model):
    """What was done about an incident. Append-only."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("incident")
    )
    text = models.TextField(_("what was done"), max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.incident}: {self.text[:40]}"


class IncidentStatusChange(models.Model):
    """Append-only history of an incident's status."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Incident.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Incident.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.incident}: {self.from_status} → {self.to_status}"


auditlog.register(Round, exclude_fields=["note"])
auditlog.register(Observation, include_fields=["category", "concern", "round"])
auditlog.register(Incident, include_fields=["status", "category", "affects_neighbours"])
