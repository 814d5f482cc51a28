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

    def get_additional_data(self):
        return {"municipality_id": self.pk}


class UnitQuerySet(models.QuerySet):
    def in_use(self):
        """Units not retired: the ones offered for new routing rules, assignments and measures."""
        return self.filter(retired_at__isnull=True)

    def offered(self, *, current=None):
        """Units to choose from in a form: those in use, and the one already chosen (a retired
        unit stays selectable on the row that already points at it)."""
        current_pk = getattr(current, "pk", current)
        return self.filter(models.Q(retired_at__isnull=True) | models.Q(pk=current_pk))


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
    retired_at = models.DateTimeField(
        _("retired"),
        null=True,
        blank=True,
        help_text=_("A retired unit is no longer offered for new work; its history stays."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_unit_name")
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        """Filed with each audit log entry, so the municipality's log finds it."""
        return {"municipality_id": self.municipality_id}


class Role(models.TextChoices):
    ADMIN = "admin", _("Municipality administrator")
    COORDINATOR = "coordinator", _("Project coordinator")
    CASE_HANDLER = "case_handler", _("Case handler")
    FACILITY_STAFF = "facility_staff", _("Facility staff")
    CARETAKER = "caretaker", _("Environmental caretaker")
    POLICE = "police", _("Police liaison")
    POLITICIAN = "politician", _("Politician (read only)")
    ARCHIVIST = "archivist", _("Archivist")


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

    def get_additional_data(self):
        return {"municipality_id": self.municipality_id, "user_id": self.user_id}


class Profile(models.Model):
    """A staff member's own settings: the municipality they work in and their language."""

    class UserLanguage(models.TextChoices):
        BOKMAL = "nb", _("Norwegian Bokmål")
        NYNORSK = "nn", _("Norwegian Nynorsk")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="naboskap_profile",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current municipality"),
        help_text=_("The municipality this user last chose to work in."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=UserLanguage.choices,
        blank=True,
        help_text=_("Pages and emails in this language; empty: the municipality's."),
    )
    sessions_valid_from = models.DateTimeField(
        _("sessions valid from"),
        null=True,
        blank=True,
        help_text=_("Sessions that signed in before this time are ended."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class Invitation(models.Model):
    """An invitation by email to join a municipality's staff: a single-use link for 72 hours.

    The link's token is not stored, only its SHA-256 (`token_hash`). The token is an HMAC of
    `nonce` with the secret key, so the worker can build the link again for the email, and
    neither a copy of the database nor the task queue gives away a usable link.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    roles = models.JSONField(_("roles"), default=list)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("unit"),
    )
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def get_additional_data(self):
        return {"municipality_id": self.municipality_id}

    @property
    def is_open(self) -> bool:
        """Not yet accepted, not revoked (it may have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles if role in Role.values]


# Who changed a municipality, its units, someone's roles or invitations, and when
# (django-auditlog). Deactivations and two-step resets are explicit entries with a reason
# (see tenancy.services.admin_event).
auditlog.register(Municipality)
auditlog.register(Unit)
auditlog.register(Membership)
auditlog.register(Invitation, exclude_fields=["nonce", "token_hash", "sent_at"])
