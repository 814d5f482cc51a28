"""The stakeholder register, the interaction log, stakeholder analyses, the address register
and projects' neighbour lists.

Organisations and persons belong to a municipality and are linked to the projects they
concern. Persons are personal data: only the project team sees them (see rules.py), and
`services.person_erase` removes one on request, leaving an `ErasureLog` row without personal
data. Interactions belong to a project; stakeholder assessments are append-only, dated rows.

Addresses are imported per municipality (Kartverket's open address data, or any source behind
`sources.AddressSource`). Each keeps its latitude and longitude and its EUREF89 UTM 33
coordinates; `grid_row` (the northing in 100 m bands) and the easting make the index that finds
the addresses near a point among millions without PostGIS: a few index ranges, one per band.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from naboskap.projects.models import Project
from naboskap.tenancy.models import Municipality

GRID_ROW_M = 100
RADIUS_MIN_M = 10
RADIUS_MAX_M = 2000
RADIUS_DEFAULT_M = 200


class Address(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("municipality"),
    )
    external_id = models.CharField(
        _("address id"), max_length=64, help_text=_("The id in the source (Kartverket's lokalId).")
    )
    street = models.CharField(_("street"), max_length=150)
    number = models.PositiveIntegerField(_("number"))
    letter = models.CharField(pgettext_lazy("house number", "letter"), max_length=2, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4)
    post_town = models.CharField(_("post town"), max_length=60)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    easting = models.FloatField(_("easting (EUREF89 UTM 33)"))
    northing = models.FloatField(_("northing (EUREF89 UTM 33)"))
    grid_row = models.IntegerField(editable=False)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["street", "number", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"], name="unique_address_id"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "grid_row", "easting"], name="address_near"),
            models.Index(fields=["municipality", "number", "street"], name="address_search"),
        ]

    def __str__(self):
        return f"{self.street} {self.number}{self.letter}"

    @property
    def full(self) -> str:
        return f"{self}, {self.postcode} {self.post_town}"


class AddressImport(models.Model):
    """One import of an address file: what it did, and the rows it could not take."""

    class Via(models.TextChoices):
        COMMAND = "command", _("Command line")
        UPLOAD = "upload", _("Upload")

    class Outcome(models.TextChoices):
        DONE = "done", _("Imported")
        DRY_RUN = "dry_run", _("Checked (nothing saved)")
        FAILED = "failed", _("Failed (nothing saved)")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="address_imports"
    )
    filename = models.CharField(_("file"), max_length=255)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    failure = models.TextField(_("why it failed"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("new addresses"), default=0)
    updated = models.PositiveIntegerField(_("updated addresses"), default=0)
    other_municipality = models.PositiveIntegerField(_("rows of other municipalities"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [[line number, reason], ...]: the first ones only (see importer.KEPT_ERRORS).
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("address import")
        verbose_name_plural = _("address imports")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.filename} ({self.started_at:%Y-%m-%d %H:%M})"


class NeighbourList(models.Model):
    """The addresses around a project's site, computed from the register and edited by hand.

    A letter run iterates `selectors.neighbour_entries(neighbour_list)`: every entry not
    removed, nearest first.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="neighbour_list")
    radius_m = models.PositiveIntegerField(
        _("radius (metres)"),
        default=RADIUS_DEFAULT_M,
        validators=[MinValueValidator(RADIUS_MIN_M), MaxValueValidator(RADIUS_MAX_M)],
    )
    centre_latitude = models.FloatField(_("centre latitude"))
    centre_longitude = models.FloatField(_("centre longitude"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("neighbour list")
        verbose_name_plural = _("neighbour lists")

    def __str__(self):
        return f"{self.project} ({self.radius_m} m)"


class NeighbourEntry(models.Model):
    """An address on a neighbour list. Hand edits survive a recomputation: an address added
    by hand stays, and one removed by hand stays removed (the row is kept as the decision)."""

    neighbour_list = models.ForeignKey(
        NeighbourList, on_delete=models.CASCADE, related_name="entries"
    )
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="+")
    distance_m = models.FloatField(_("distance (metres)"))
    added_by_hand = models.BooleanField(_("added by hand"), default=False)
    removed = models.BooleanField(_("removed by hand"), default=False)

    class Meta:
        verbose_name = _("neighbour list entry")
        verbose_name_plural = _("neighbour list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["neighbour_list", "address"], name="unique_neighbour_entry"
            )
        ]
        indexes = [models.Index(fields=["neighbour_list", "removed", "distance_m"])]

    def __str__(self):
        return f"{self.address} ({self.distance_m:.0f} m)"


class Tag(models.Model):
    """A free label on organisations and persons ("nærmiljø", "skolevei"), per municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="stakeholder_tags"
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_stakeholder_tag")
        ]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("Residents' association")
        SCHOOL = "school", _("School or parent committee")
        KINDERGARTEN = "kindergarten", _("Kindergarten")
        HOUSING = "housing", _("Housing co-op or owners' association")
        BUSINESS = "business", _("Business")
        VOLUNTARY = "voluntary", _("Voluntary or religious organisation")
        POLICE = "police", _("Police")
        POLITICAL = "political", _("Political group")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="NO")
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="organisations", verbose_name=_("tags")
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="organisations", verbose_name=_("projects")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="unique_organisation_name"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stakeholders:organisation_detail", args=[self.pk])


class Channel(models.TextChoices):
    """How an interaction took place."""

    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    LETTER = "letter", pgettext_lazy("post", "Letter")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door")
    MEDIA = "media", _("Media")
    SOCIAL_MEDIA = "social_media", _("Social media")


class ContactChannel(models.TextChoices):
    """How a person prefers to be contacted."""

    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("Text message")
    LETTER = "letter", pgettext_lazy("post", "Letter")
    IN_PERSON = "in_person", _("In person")


class Person(models.Model):
    class Kind(models.TextChoices):
        NEIGHBOUR = "neighbour", _("Neighbour")
        REPRESENTATIVE = "representative", _("Representative of an organisation")
        RESIDENT_REPRESENTATIVE = "resident_representative", _("Resident representative")
        OTHER = "other", _("Other")

    class LawfulBasis(models.TextChoices):
        """GDPR article 6 (1): why the municipality may keep the person in the register."""

        CONSENT = "consent", _("Consent")
        PUBLIC_TASK = "public_task", _("Public task")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="stakeholder_persons",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.NEIGHBOUR)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="NO")
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="persons",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role in the organisation"), max_length=120, blank=True, help_text=_("E.g. leader.")
    )
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="persons", verbose_name=_("tags"))
    projects = models.ManyToManyField(
        Project, blank=True, related_name="stakeholder_persons", verbose_name=_("projects")
    )
    lawful_basis = models.CharField(
        _("lawful basis"),
        max_length=30,
        choices=LawfulBasis.choices,
        default=LawfulBasis.PUBLIC_TASK,
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_how = models.CharField(
        _("how consent was given"),
        max_length=200,
        blank=True,
        help_text=_("E.g. signed form at the meeting on 3 March."),
    )
    consent_purpose = models.CharField(_("what the consent covers"), max_length=500, blank=True)
    preferred_channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent") | Q(consent_given_on__isnull=False),
                name="person_consent_has_date",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stakeholders:person_detail", args=[self.pk])

    def get_preferred_channels_display(self) -> str:
        labels = dict(ContactChannel.choices)
        return ", ".join(str(labels.get(c, c)) for c in self.preferred_channels)


class ErasureLog(models.Model):
    """That a person was erased on request: who did it, when and why; nothing about the
    person (not even the name)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="erasures"
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500)
    interactions_kept = models.PositiveIntegerField(_("interactions kept"), default=0)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-pk"]

    def __str__(self):
        return f"{self.erased_at:%Y-%m-%d %H:%M}"


class Interaction(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("In (they contacted us)")
        OUT = "out", _("Out (we contacted them)")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="interactions", verbose_name=_("project")
    )
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    summary = models.TextField(_("summary"), max_length=5000)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="interactions", verbose_name=_("organisations")
    )
    persons = models.ManyToManyField(
        Person, blank=True, related_name="interactions", verbose_name=_("persons")
    )
    needs_follow_up = models.BooleanField(_("needs follow-up"), default=False)
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
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["project", "-occurred_on"], name="interaction_timeline")]

    def __str__(self):
        return f"{self.occurred_on:%d.%m.%Y} {self.get_channel_display()}"

    def get_absolute_url(self):
        return reverse("stakeholders:interaction_detail", args=[self.project_id, self.pk])


class Assessment(models.Model):
    """How a stakeholder stands towards a project on a date. Append-only: a new assessment
    is a new row, so the change over time shows."""

    class Stance(models.TextChoices):
        SUPPORTIVE = "supportive", _("Supportive")
        NEUTRAL = "neutral", _("Neutral")
        WORRIED = "worried", _("Worried")
        OPPOSED = "opposed", _("Opposed")
        UNKNOWN = "unknown", _("Unknown")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="stakeholder_assessments",
        verbose_name=_("project"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("person"),
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    influence = models.PositiveSmallIntegerField(
        _("influence"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    affected = models.PositiveSmallIntegerField(
        _("how affected"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    stance = models.CharField(
        _("stance"), max_length=20, choices=Stance.choices, default=Stance.UNKNOWN
    )
    main_concerns = models.TextField(_("main concerns"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stakeholder assessment")
        verbose_name_plural = _("stakeholder assessments")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=True) & Q(person__isnull=False))
                | (Q(organisation__isnull=False) & Q(person__isnull=True)),
                name="assessment_one_stakeholder",
            ),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5, affected__gte=1, affected__lte=5),
                name="assessment_levels_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder} ({self.assessed_on:%d.%m.%Y})"

    @property
    def stakeholder(self):
        return self.organisation if self.organisation_id else self.person


# Who computed a neighbour list, and when (django-auditlog). Its entries are not logged: a
# recomputation replaces dozens at a time, and a log row for each made it ten times slower.
# Addresses come in bulk from imports, which keep their own record (AddressImport).
auditlog.register(NeighbourList)
# The register. Persons' log entries are deleted when a person is erased
# (services.person_erase); which persons took part in an interaction is not logged on the
# interaction, so that their names do not outlive an erasure there.
auditlog.register(Tag)
auditlog.register(Organisation, m2m_fields={"tags", "projects"})
auditlog.register(Person, m2m_fields={"tags", "projects"})
auditlog.register(Interaction, m2m_fields={"organisations"}, exclude_fields=["summary"])
auditlog.register(Assessment)
auditlog.register(ErasureLog)


# Place and process analysis ----------------------------------------------------------------


class PlaceAnalysis(models.Model):
    """One version of a project's place and process analysis. The newest version is the one
    being worked on until a coordinator publishes it; a change after that starts a new version
    (a copy), so every published version stays as it was (see places/services.py)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="place_analyses", verbose_name=_("project")
    )
    version = models.PositiveIntegerField(_("version"))
    site_description = models.TextField(_("site description"), max_length=10000, blank=True)
    conclusions = models.TextField(_("conclusions"), max_length=10000, blank=True)
    recommendations = models.TextField(
        _("recommendations for the action plan"), max_length=10000, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    published_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("place and process analysis")
        verbose_name_plural = _("place and process analyses")
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="unique_place_version")
        ]

    def __str__(self):
        return f"{self.project} v{self.version}"

    def get_absolute_url(self):
        return reverse("stakeholders:place_version", args=[self.project_id, self.version])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SensitiveSite(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        KINDERGARTEN = "kindergarten", _("Kindergarten")
        PLAYGROUND = "playground", _("Playground")
        SPORTS = "sports", _("Sports ground")
        STOP = "stop", _("Public transport stop")
        SHOP = "shop", _("Shop")
        OTHER = "other", _("Other")

    analysis = models.ForeignKey(
        PlaceAnalysis, on_delete=models.CASCADE, related_name="sensitive_sites"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sensitive place")
        verbose_name_plural = _("sensitive places")
        ordering = ["kind", "name", "pk"]

    def __str__(self):
        return self.name


class ProcessEvent(models.Model):
    class Kind(models.TextChoices):
        HEARING = "hearing", _("Political hearing")
        MEDIA = "media", _("Media article")
        PETITION = "petition", _("Petition")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    analysis = models.ForeignKey(PlaceAnalysis, on_delete=models.CASCADE, related_name="events")
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("what happened"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("A reference or a web address.")
    )

    class Meta:
        verbose_name = _("process event")
        verbose_name_plural = _("process events")
        ordering = ["occurred_on", "pk"]

    def __str__(self):
        return self.title

    @property
    def source_is_url(self) -> bool:
        return self.source.startswith(("https://", "http://"))


class ObjectionTheme(models.Model):
    analysis = models.ForeignKey(PlaceAnalysis, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("theme"), max_length=150)
    count = models.PositiveIntegerField(
        _("times raised"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("objection theme")
        verbose_name_plural = _("objection themes")
        ordering = ["-count", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "name"], name="unique_objection_theme")
        ]

    def __str__(self):
        return self.name


class LetterTemplate(models.Model):
    """The text of the invitation letters to a neighbour list, with placeholders for the
    meeting ({title}, {time}, {place}, {description}, {contact}). For one project, or (no
    project) for every project of the municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="letter_templates"
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letter_templates",
        verbose_name=_("project"),
    )
    name = models.CharField(_("name"), max_length=100)
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


auditlog.register(PlaceAnalysis)
auditlog.register(SensitiveSite)
auditlog.register(ProcessEvent)
auditlog.register(ObjectionTheme)
auditlog.register(LetterTemplate)
