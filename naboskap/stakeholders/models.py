"""The address register and projects' neighbour lists.

Addresses are imported per municipality (Kartverket's open address data, or any source behind
`sources.AddressSource`). Each keeps its latitude and longitude and its EUREF89 UTM 33
coordinates; `grid_row` (the northing in 100 m bands) and the easting make the index that finds
the addresses near a point among millions without PostGIS: a few index ranges, one per band.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    letter = models.CharField(_("letter"), max_length=2, blank=True)
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


# Who computed a neighbour list, and when (django-auditlog). Its entries are not logged: a
# recomputation replaces dozens at a time, and a log row for each made it ten times slower.
# Addresses come in bulk from imports, which keep their own record (AddressImport).
auditlog.register(NeighbourList)
