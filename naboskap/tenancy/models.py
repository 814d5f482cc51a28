from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from naboskap.lib import pagecache


class Language(models.TextChoices):
    BOKMAL = "nb", _("Norwegian Bokmål")
    NYNORSK = "nn", _("Norwegian Nynorsk")


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100)
    number = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Enter the four-digit municipality number."))],
    )
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    accessibility_statement_url = models.URLField(_("accessibility statement"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="NO")
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    host = models.CharField(
        _("host name"),
        max_length=253,
        blank=True,
        help_text=_("Serve this municipality's public pages on its own host name."),
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=~models.Q(host=""), name="unique_municipality_host"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Name, contacts and language show on every public page.
        pagecache.invalidate()


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROPERTY = "property", _("Property")
        HEALTH_SOCIAL = "health_social", _("Health and social services")
        COMMUNICATION = "communication", _("Communication")
        PLANNING = "planning", _("Planning and building")
        FACILITY = "facility", _("Supported-housing facility")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="units", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    email = models.EmailField(_("email"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
        help_text=_("Gets the daily list of the unit's overdue concerns."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_unit_name")
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Municipality administrator")
    COORDINATOR = "coordinator", _("Project coordinator")
    CASE_HANDLER = "case_handler", _("Case handler")
    FACILITY_STAFF = "facility_staff", _("Facility staff")
    CARETAKER = "caretaker", _("Environmental caretaker")
    POLICE = "police", _("Police liaison")
    POLITICIAN = "politician", _("Politician (read only)")


class Membership(models.Model):
    """A user's role in a municipality, optionally narrowed to one project."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("project"),
        help_text=_("Leave empty for a role across the whole municipality."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role", "project"],
                name="unique_project_membership",
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                condition=models.Q(project__isnull=True),
                name="unique_municipality_membership",
            ),
        ]

    def __str__(self):
        scope = self.project or self.municipality
        return f"{self.user} – {self.get_role_display()} ({scope})"


# Who changed a municipality, its units or someone's roles, and when (django-auditlog).
auditlog.register(Municipality)
auditlog.register(Unit)
auditlog.register(Membership)
