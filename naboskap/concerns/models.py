import hashlib
import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from naboskap.concerns.storage import photo_path, private_storage
from naboskap.concerns.workflow import OPEN, PUBLIC_TEXT, CancelReason, Status
from naboskap.projects.models import Project
from naboskap.tenancy.models import Municipality, Unit


class Category(models.Model):
    """What a concern is about, with its deadlines. Configurable per municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="concern_categories"
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stable code, also the Open311 service code.")
    )
    name = models.CharField(_("name (bokmål)"), max_length=100)
    name_nn = models.CharField(
        _("name (nynorsk)"), max_length=100, blank=True, help_text=_("Empty: the bokmål name.")
    )
    name_en = models.CharField(
        _("name (English)"), max_length=100, blank=True, help_text=_("Empty: the bokmål name.")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"), default=1
    )
    answer_days = models.PositiveSmallIntegerField(_("answer within (working days)"), default=10)
    default_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default unit"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unique_category_code")
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the current language, falling back to bokmål."""
        return {"nn": self.name_nn, "en": self.name_en}.get(get_language(), "") or self.name


class RoutingRule(models.Model):
    """Category × project → unit. A rule without a project applies to every project."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "project"], name="unique_routing_rule_per_project"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(project__isnull=True),
                name="unique_routing_rule_default",
            ),
        ]

    def __str__(self):
        return f"{self.category} → {self.unit}"


class Policy(models.Model):
    """A municipality's retention rules for concerns (defaults apply without a row)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="concern_policy"
    )
    erase_contact_after_days = models.PositiveSmallIntegerField(
        _("delete contact details this many days after closure"), default=90
    )
    delete_after_years = models.PositiveSmallIntegerField(
        _("delete whole concerns this many years after closure"), default=5
    )
    default_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit for the area in general"),
        help_text=_(
            "Gets concerns about the area in general (not one project), unless a routing "
            "rule or the category names another unit."
        ),
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self):
        return str(self.municipality)


class DeletionLog(models.Model):
    """What retention deleted, and when: the reference only, nothing the reporter wrote."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=20)
    closed_at = models.DateTimeField(null=True)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self):
        return self.reference


class ReferenceCounter(models.Model):
    """The last reference number given per municipality and year (row-locked on use)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="unique_reference_year")
        ]

    def __str__(self):
        return f"{self.year}: {self.last}"


class CountsVersion(models.Model):
    """A number per municipality that moves on after every committed write that changes
    which concerns it has, or their status or unit (`selectors.concerns_changed`). The
    inbox's cached counts per status are kept under it: one small UPDATE per write, where
    moving a number in the shared cache took five or six statements with the database
    cache, all on one row that every submission wrote (bench/concerns.py)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return str(self.number)


def new_token() -> str:
    return secrets.token_urlsafe(32)


# No 0/O, 1/I/L: a code read from paper and typed again must not be ambiguous.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def short_code_for(token: str) -> str:
    """A concern's short code: from its secret token, so nothing more is stored, and the
    same for as long as the token is (which a new SECRET_KEY would not keep)."""
    number = int.from_bytes(hashlib.sha256(f"short-code:{token}".encode()).digest()[:8])
    letters = []
    for _i in range(8):
        number, index = divmod(number, len(SHORT_CODE_ALPHABET))
        letters.append(SHORT_CODE_ALPHABET[index])
    return "".join(letters[:4]) + "-" + "".join(letters[4:])


def normalise_short_code(typed: str) -> str:
    """What a person typed, as a code: upper case, without spaces and hyphens."""
    text = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())
    return text[:4] + "-" + text[4:] if len(text) == 8 else text


class Concern(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        NONE = "none", _("Do not contact me")

    class IntakeChannel(models.TextChoices):
        """How the concern reached the municipality."""

        WEB = "web", _("Web form")
        OPEN311 = "open311", _("Another system (Open311)")
        PHONE = "phone", _("Phone")
        LETTER = "letter", pgettext_lazy("post", "Letter")
        FRONT_DESK = "front_desk", _("Front desk")
        EMAIL = "email", _("Email")
        POLITICIAN = "politician", _("Via a politician")
        POLICE = "police", _("Via the police")
        CARETAKER = "caretaker", _("Caretaker's observation")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    # None: about the area in general, not one project ("I don't know"). Such a concern is
    # routed to the municipality's default unit (`Policy.default_unit`), and only
    # municipality-wide roles and the unit's case handlers reach it (docs/adr).
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("project"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("category")
    )
    reference = models.CharField(_("reference"), max_length=20)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    cancel_reason = models.CharField(
        _("reason"), max_length=20, choices=CancelReason.choices, blank=True
    )
    description = models.TextField(_("what happened"), max_length=5000)
    location = models.CharField(_("where"), max_length=200, blank=True)
    # A place marked on a map, rounded before it is stored (naboskap.maps.geo).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # The same place on the national grid (EUREF89 UTM 33, metres): maps count concerns per
    # grid cell in the database (naboskap.maps.grid).
    easting = models.FloatField(null=True, blank=True, editable=False)
    northing = models.FloatField(null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(_("when"), null=True, blank=True)
    reporter_name = models.CharField(_("name"), max_length=100, blank=True)
    reporter_email = models.EmailField(_("email"), blank=True)
    reporter_phone = PhoneNumberField(_("phone"), blank=True, region="NO")
    preferred_channel = models.CharField(
        _("how we may contact you"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(max_length=5, default="nb")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    idempotency_key = models.CharField(max_length=64, editable=False)
    assigned_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("unit"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_concerns",
        verbose_name=_("case handler"),
    )
    acknowledge_due = models.DateField(_("acknowledge by"))
    answer_due = models.DateField(_("answer by"))
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)  # the latest answer
    # For the dashboards' deadlines (insights.metrics), set once by `concern_transition`:
    # the local date of the first acknowledgement (an answer acknowledges too) and when the
    # first answer was given. Kept rather than derived from the timestamps, which took a time
    # zone conversion per concern in every dashboard (bench/dashboard.py).
    acknowledged_on = models.DateField(null=True, blank=True, editable=False)
    first_answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_answered_on = models.DateField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    # What the concern is an occurrence of, in the project's ROS analysis: it feeds the
    # event's observed frequency.
    unwanted_event = models.ForeignKey(
        "risk.UnwantedEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("unwanted event"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
        help_text=_("A duplicate's reporter gets the answers given on this concern."),
    )
    # Marked by a case handler or coordinator as relevant for the police: it then counts in
    # the situation picture shared with the police liaison (counts only, never the text).
    police_relevant = models.BooleanField(_("relevant for the police"), default=False)
    intake_channel = models.CharField(
        _("received by"), max_length=20, choices=IntakeChannel.choices, default=IntakeChannel.WEB
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
        help_text=_("The staff member who registered a concern received by phone, letter…"),
    )
    reporter_address = models.CharField(
        _("postal address"),
        max_length=200,
        blank=True,
        help_text=_("For a receipt by letter, when the person has no email address."),
    )
    # Set when the reporter writes or asks to reopen; cleared when a handler opens the case.
    reporter_wrote_at = models.DateTimeField(_("new from the reporter"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("how satisfied are you"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="unique_concern_reference"
            ),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"], name="unique_concern_submission"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "-created_at"]),
            # The inbox's default order, so a page is an index range, not a sort of all rows.
            models.Index(fields=["municipality", "-created_at", "-id"], name="concern_inbox_order"),
            models.Index(fields=["assigned_unit", "status"]),
            models.Index(fields=["answer_due"]),
            # The police situation picture: a project's police-relevant concerns only.
            models.Index(
                fields=["project", "created_at"],
                condition=models.Q(police_relevant=True),
                name="concern_police_relevant",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("concerns:detail", args=[self.pk])

    def get_follow_up_url(self):
        # The reporter's private page is public (token in the address), so it lives in the portal.
        return f"{reverse('portal:concern_follow_up', args=[self.reference])}?t={self.token}"

    def get_short_url(self):
        """The follow-up address short enough to type from a letter (`/m/<reference>/`): it
        asks for `short_code`, then leads to the follow-up page."""
        return reverse("portal:concern_short", args=[self.reference])

    @property
    def short_code(self) -> str:
        """Eight characters derived from the token, for the short address (`ABCD-EFGH`)."""
        return short_code_for(self.token)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def public_status_text(self) -> str:
        return PUBLIC_TEXT[self.status]

    @property
    def has_contact(self) -> bool:
        return bool(self.reporter_name or self.reporter_email or self.reporter_phone)


class StatusChange(models.Model):
    """Append-only history of a concern's status."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
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
        return f"{self.concern}: {self.from_status} → {self.to_status}"


class Message(models.Model):
    class Kind(models.TextChoices):
        TO_REPORTER = "to_reporter", _("To the reporter")
        FROM_REPORTER = "from_reporter", _("From the reporter")
        INTERNAL = "internal", _("Internal note")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField(_("message"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.concern}: {self.get_kind_display()}"


class Photo(models.Model):
    """A photo attached to a concern: re-encoded on upload, without EXIF, GPS or other
    metadata, and stored privately (see `naboskap.concerns.storage`)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to=photo_path,
        storage=private_storage,
        max_length=200,
    )
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.concern}: {self.pk}"

    def get_absolute_url(self):
        return reverse("concerns:photo", args=[self.concern_id, self.pk])


# Every opening of a concern's detail page is logged (auditlog's access log), and changes to
# how it is handled. Never what the reporter wrote or their contact details: the audit log
# must not keep what the retention rules erase.
auditlog.register(
    Concern,
    include_fields=[
        "status",
        "category",
        "project",
        "assigned_unit",
        "assigned_to",
        "police_relevant",
    ],
)


class StandardAnswer(models.Model):
    """A municipality's ready-made answer to a reporter, inserted into a message and edited.

    The text may hold placeholders (`{reference}`, `{answer_due}`, …) filled in on insertion.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="standard_answers"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=5000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("standard answer")
        verbose_name_plural = _("standard answers")
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "title"], name="unique_standard_answer_title"
            )
        ]

    def __str__(self):
        return self.title
