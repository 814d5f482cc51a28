"""What a municipality journals into its Noark 5 archive, and every registration sent there
(ADR 0033).

`Settings` says what is archived and how (per municipality, off until the archivist turns it
on). A `Registration` is one message to the archive: a case folder (saksmappe) or one
registration in it (journalpost). It is made, once, when what it records is final (a concern
closed, minutes approved, an analysis approved, a status report made, letters sent), built
and sent by the worker, and carries the archive's receipt when one comes back. Its
`external_key` names it to the archive (fagsystem + key), so a resend is recognised.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The Noark 5 access restriction code and its legal basis for concerns: they often describe
# residents' health or social circumstances (offentleglova § 13 with forvaltningsloven § 13).
DEFAULT_RESTRICTION = "13"
DEFAULT_BASIS = "Offl. § 13 jf. fvl. § 13"


class Settings(models.Model):
    class ConcernFolder(models.TextChoices):
        PROJECT_YEAR = "project_year", _("One case folder per project and year")
        CONCERN = "concern", _("One case folder per concern")

    municipality = models.OneToOneField(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="archive_settings"
    )
    enabled = models.BooleanField(
        _("send to the archive"),
        default=False,
        help_text=_("Registrations are made from now on; nothing earlier is sent by itself."),
    )
    concern_folder = models.CharField(
        _("case folders for concerns"),
        max_length=20,
        choices=ConcernFolder,
        default=ConcernFolder.PROJECT_YEAR,
    )
    archive_notes = models.BooleanField(
        _("archive internal notes"),
        default=False,
        help_text=_("Internal notes on a concern are journalled as notes (N)."),
    )
    restriction_code = models.CharField(
        _("access restriction code"),
        max_length=10,
        default=DEFAULT_RESTRICTION,
        help_text=_("Noark 5 tilgangsrestriksjon for concerns, for example 13."),
    )
    restriction_basis = models.CharField(
        _("legal basis for screening"),
        max_length=100,
        default=DEFAULT_BASIS,
        help_text=_("Skjermingshjemmel for concerns."),
    )
    archive_part = models.CharField(
        _("archive part"),
        max_length=50,
        blank=True,
        help_text=_("Arkivdel the registrations go to, if the archive asks for one."),
    )
    classification_system = models.CharField(
        _("classification system"),
        max_length=50,
        blank=True,
        help_text=_("Ordningsprinsipp of the case folders, for example FE or GBNR."),
    )
    classification_value = models.CharField(
        _("class"),
        max_length=50,
        blank=True,
        help_text=_("Ordningsverdi of the case folders, for example 614."),
    )
    administrative_unit = models.CharField(
        _("administrative unit"),
        max_length=100,
        blank=True,
        help_text=_("The archive's code for the unit that owns the cases (administrativ enhet)."),
    )
    fiks_io_account = models.CharField(
        _("Fiks IO account of the archive"),
        max_length=36,
        blank=True,
        help_text=_(
            "The archive system's Fiks IO account id. Empty: packages are written to the "
            "import folder."
        ),
    )
    archive_concerns = models.BooleanField(_("closed concerns"), default=True)
    archive_minutes = models.BooleanField(_("approved minutes"), default=True)
    archive_analyses = models.BooleanField(_("approved ROS analyses"), default=True)
    archive_reports = models.BooleanField(_("status reports"), default=True)
    archive_letters = models.BooleanField(_("letters sent"), default=True)

    class Meta:
        verbose_name = _("archive settings")
        verbose_name_plural = _("archive settings")

    def __str__(self) -> str:
        return str(self.municipality)

    def get_additional_data(self):
        """Filed with each audit log entry, so the municipality's log finds it."""
        return {"municipality_id": self.municipality_id}


class Registration(models.Model):
    class Kind(models.TextChoices):
        FOLDER = "folder", _("Case folder")
        CONCERN = "concern", _("Concern received")
        ANSWER = "answer", _("Message to the reporter")
        FROM_REPORTER = "from_reporter", _("Message from the reporter")
        NOTE = "note", _("Internal note")
        MINUTES = "minutes", _("Approved minutes")
        ANALYSIS = "analysis", _("Approved ROS analysis")
        REPORT = "report", _("Status report")
        LETTERS = "letters", _("Letters sent")

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("archive", "Waiting")
        SENT = "sent", pgettext_lazy("archive", "Sent")
        ARCHIVED = "archived", pgettext_lazy("archive", "Archived")
        FAILED = "failed", pgettext_lazy("archive", "Failed")

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    # What it records: "<app>.<model>" and its id (a folder: the folder's own key).
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    # The case folder it goes into (none for a folder itself).
    folder = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("case folder"),
    )
    # The concern, meeting, analysis, report or project it belongs to: what staff open.
    subject_model = models.CharField(max_length=60)
    subject_id = models.PositiveBigIntegerField()
    title = models.CharField(_("title"), max_length=300)
    # What the record needs beyond its object (the letters of a run, as printed).
    params = models.JSONField(default=dict, blank=True)
    # Fagsystem + key: how the archive recognises a resend.
    external_key = models.CharField(_("external key"), max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a worker took it to send; a claim older than `delivery.CLAIM_LOST` lost its worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    package = models.CharField(_("package"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # From the archive's receipt.
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    record_number = models.CharField(_("registration number"), max_length=40, blank=True)
    archive_id = models.CharField(_("archive's id"), max_length=100, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("archive registration")
        verbose_name_plural = _("archive registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "model", "object_id"], name="archive_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="archive_due"),
            models.Index(fields=["subject_model", "subject_id"], name="archive_subject"),
            models.Index(fields=["municipality", "-created_at"], name="archive_log"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_folder(self) -> bool:
        return self.kind == self.Kind.FOLDER


# Who turned journalling on or off, or changed how concerns are screened (django-auditlog).
auditlog.register(Settings)
