"""Standing bodies (a naboråd and similar), their members, meetings and invitations.

Agenda items, the residents' pre-meeting, minutes and decisions will hang off `Meeting` with
foreign keys of their own; nothing here needs to change for them.
"""

import secrets
import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from naboskap.projects.models import Project
from naboskap.tenancy.models import Unit


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Body(models.Model):
    """A standing body of a project: a neighbourhood council, a reference group."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="bodies")
    name = models.CharField(_("name"), max_length=150)
    mandate = models.TextField(
        _("mandate"),
        max_length=5000,
        blank=True,
        help_text=_("For example: a safe living environment for everyone."),
    )
    secretariat = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="secretariat_of",
        verbose_name=_("secretariat"),
        help_text=_("The unit that calls the meetings and writes the minutes."),
    )
    meeting_interval_months = models.PositiveSmallIntegerField(
        _("longest time between meetings (months)"),
        default=3,
        help_text=_("A warning shows when the body has not met for this long."),
    )
    # The secret part of the body's calendar address for its members (see portal).
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_body_name"),
            models.CheckConstraint(
                condition=Q(meeting_interval_months__gte=1, meeting_interval_months__lte=24),
                name="body_interval_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("meetings:body_detail", args=[self.project_id, self.pk])


class Member(models.Model):
    """A seat in a body for a term. External members are plain rows, without an account."""

    class Category(models.TextChoices):
        NEIGHBOUR = "neighbour", _("Neighbour")
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff")
        MUNICIPALITY = "municipality", _("Municipality")
        POLICE = "police", _("Police")
        OTHER = "other", _("Other")

    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Leave empty to invite by letter.")
    )
    phone = PhoneNumberField(_("phone"), blank=True, region="NO")
    postal_address = models.CharField(
        _("postal address"), max_length=300, blank=True, help_text=_("For letters.")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    term_start = models.DateField(_("term starts"), default=timezone.localdate)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user"),
        help_text=_("Only for municipal staff with a Naboskap account."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="member_term_order",
            )
        ]

    def __str__(self):
        return self.name

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.term_start <= on and (self.term_end is None or self.term_end >= on)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information meeting")
        DIALOGUE = "dialogue", _("Dialogue meeting")
        COUNCIL = "council", _("Council meeting")
        RESIDENTS = "residents", _("Residents' meeting")
        INTERNAL = "internal", _("Internal coordination meeting")
        SOCIAL = "social", _("Social event")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings")
    body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("body"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown on the public project page and in its calendar."),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    # iCalendar: the UID never changes; SEQUENCE goes up with every change sent to calendars.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["project", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.project_id, self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class Invitation(models.Model):
    """One invitee of one meeting: a member, a chosen person, or a subscriber.

    The token in the RSVP link is the invitee's only key; nobody needs an account.
    """

    class Via(models.TextChoices):
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")

    class Response(models.TextChoices):
        NONE = "none", _("No answer")
        YES = "yes", _("Yes")
        NO = "no", _("No")
        MAYBE = "maybe", _("Maybe")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    via = models.CharField(_("sent by"), max_length=10, choices=Via.choices)
    language = models.CharField(max_length=5, default="nb")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.NONE
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # The meeting's SEQUENCE when the invitee was last emailed (None: not emailed yet).
    sent_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    bounce_note = models.CharField(_("bounce note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["name", "email", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="unique_invited_member",
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"], condition=~Q(email=""), name="unique_invited_email"
            ),
            models.CheckConstraint(
                condition=Q(via="letter") | ~Q(email=""), name="invitation_email_needs_address"
            ),
        ]

    def __str__(self):
        return self.name or self.email

    def get_rsvp_url(self):
        return reverse("portal:meeting_rsvp", args=[self.token])

    @property
    def is_bounced(self) -> bool:
        return self.bounced_at is not None


auditlog.register(Body)
auditlog.register(Member)
auditlog.register(Meeting, exclude_fields=["changed_at"])
