import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from naboskap.tenancy.models import Municipality, Unit


class Phase(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNING = "planning", _("Planning")
    REGULATION = "regulation", _("Zoning")
    CONSTRUCTION = "construction", _("Construction")
    MOVE_IN = "move_in", _("Moving in")
    OPERATION = "operation", _("Operation")
    CLOSED = "closed", _("Closed")


PHASE_ORDER = list(Phase.values)


class Project(models.Model):
    class Kind(models.TextChoices):
        NEW_BUILD = "new_build", _("New build")
        EXISTING = "existing", _("Existing facility")

    class Visibility(models.TextChoices):
        DRAFT = "draft", _("Draft (staff only)")
        PUBLIC = "public", _("Public")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="projects"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("address in the web page"), max_length=80)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = models.TextField(
        _("what is planned and why"), max_length=10000, help_text=_("Plain language.")
    )
    target_group = models.TextField(
        _("who will live here"),
        max_length=2000,
        blank=True,
        help_text=_("Describe needs and support, not diagnoses or labels."),
    )
    dwellings_with_tenancy = models.PositiveSmallIntegerField(
        _("dwellings with a tenancy agreement"), default=0
    )
    dwellings_temporary = models.PositiveSmallIntegerField(_("temporary dwellings"), default=0)
    dwellings_emergency = models.PositiveSmallIntegerField(_("emergency places"), default=0)
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        verbose_name=_("responsible unit"),
    )
    dialogue_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dialogue_projects",
        verbose_name=_("dialogue owner"),
        help_text=_("The one person who owns the dialogue with the neighbours."),
    )
    participating_units = models.ManyToManyField(
        Unit, blank=True, related_name="participates_in", verbose_name=_("participating units")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.DRAFT
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.IDEA)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every service that changes what the public page shows (see services.touch).
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="unique_project_slug")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    def get_public_url(self):
        return reverse("portal:project", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def dwellings_total(self) -> int:
        return self.dwellings_with_tenancy + self.dwellings_temporary + self.dwellings_emergency


class PhaseChange(models.Model):
    """Append-only history of a project's phase. Rows are never edited."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
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
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.project}: {self.get_to_phase_display()}"


class PlannedPhase(models.Model):
    """When a coming phase is planned to start, as told to the public."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="planned_phases")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    planned_start = models.DateField(_("planned start"))

    class Meta:
        verbose_name = _("planned phase")
        verbose_name_plural = _("planned phases")
        ordering = ["planned_start"]
        constraints = [
            models.UniqueConstraint(fields=["project", "phase"], name="unique_planned_phase")
        ]

    def __str__(self):
        return f"{self.get_phase_display()}: {self.planned_start}"


class ContactPoint(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contact_points")
    function = models.CharField(
        _("function"), max_length=120, help_text=_("For example: Dialogue owner, Facility staff")
    )
    phone = PhoneNumberField(_("phone"), blank=True, region="NO")
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    on_duty_phone = PhoneNumberField(
        _("on-duty phone"),
        blank=True,
        region="NO",
        help_text=_("Answered around the clock when something happens."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.function


class Update(models.Model):
    """News on a project. A draft has no publish time; a future time schedules it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=20000)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, blank=True)
    published_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep it as a draft."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Published while the project was hidden, and the coordinator chose not to send it to the
    # subscribers when the project became public (notified_at is set then too).
    notification_dropped_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["project", "published_at"])]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    """A neighbour's email subscription to a project's updates (double opt-in)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    language = models.CharField(max_length=5, default="nb")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["project", "email"], name="unique_subscription")
        ]

    def __str__(self):
        return self.email


# No 0/O, 1/I/L: a code read from a letter and typed again must not be ambiguous.
SHORT_LINK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_LINK_LENGTH = 6


def normalise_short_link(typed: str) -> str:
    """A code as typed (any case, spaces or hyphens) in the stored form: upper case."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


class ShortLink(models.Model):
    """A short address printed on a letter (`/n/<code>/`) that leads to a longer one within
    the same municipality. A link that stands for a secret expires with it."""

    code = models.CharField(max_length=SHORT_LINK_LENGTH, unique=True, editable=False)
    target = models.CharField(max_length=500, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="short_links"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")
        indexes = [models.Index(fields=["municipality", "target"])]

    def __str__(self):
        return f"{self.code} → {self.target}"

    def get_absolute_url(self):
        return reverse("portal:short_link", args=[self.code])

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


# Who changed what on a project, and when (django-auditlog). Phase history has its own rows.
auditlog.register(Project, m2m_fields={"participating_units"}, exclude_fields=["changed_at"])
auditlog.register(ContactPoint)
auditlog.register(Update)
