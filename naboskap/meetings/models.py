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
from django.utils.translation import pgettext_lazy
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
    # Consent, per field, to show the contact detail to the body's other current members.
    # Given and changed by the member on the members' page; withdrawn when the term ends.
    share_phone = models.BooleanField(_("show my phone number to the other members"), default=False)
    share_email = models.BooleanField(
        _("show my email address to the other members"), default=False
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
    cancel_reason = models.TextField(
        _("reason for cancelling"), max_length=2000, blank=True, editable=False
    )
    series = models.ForeignKey(
        "meetings.Series",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="meetings",
        verbose_name=_("series"),
    )
    # Which occurrence of its series' rule this meeting is (0 for the first).
    series_index = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    budget = models.DecimalField(
        _("budget (NOK)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a social event: what it may cost."),
    )
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
        LETTER = "letter", pgettext_lazy("post", "Letter")

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
    # The meeting's SEQUENCE when staff last chose to send it to the invitee (None: not yet).
    # Sending is a step of its own: saving a meeting or adding invitees sends nothing.
    queued_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
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


class Series(models.Model):
    """A recurring series of meetings (every second month on a Tuesday at 18, say). The series
    makes its meetings up front; changing or ending it changes only those still to come."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class MonthlyBy(models.TextChoices):
        WEEKDAY = "weekday", _("The same weekday of the month (for example the second Tuesday)")
        DATE = "date", _("The same date of the month")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="series")
    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="series",
        verbose_name=_("body"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Meeting.Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    first_starts_at = models.DateTimeField(_("first meeting starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=120)
    frequency = models.CharField(
        _("repeats"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, help_text=_("2 with “monthly”: every second month.")
    )
    monthly_by = models.CharField(
        _("monthly on"), max_length=10, choices=MonthlyBy.choices, default=MonthlyBy.WEEKDAY
    )
    until = models.DateField(_("last date"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of meetings"), null=True, blank=True)
    template = models.ForeignKey(
        "meetings.AgendaTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agenda template"),
    )
    invites_members = models.BooleanField(
        _("invite the body's members"),
        default=False,
        help_text=_(
            "Every meeting of the series gets its members on the invitation list. Nothing is "
            "sent until you send the invitations from the meeting's page."
        ),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["-first_starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval__gte=1, interval__lte=12),
                name="series_interval_range",
                violation_error_message=_("Repeat every 1 to 12 weeks or months."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=1440),
                name="series_duration_range",
                violation_error_message=_("A meeting lasts from 15 minutes to 24 hours."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=False) | Q(count__isnull=False),
                name="series_has_end",
                violation_error_message=_("Give a last date or a number of meetings."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:series_detail", args=[self.project_id, self.pk])

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class CostLine(models.Model):
    """One cost of a social event: what, how much, and which unit pays."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cost_lines")
    item = models.CharField(_("item"), max_length=150)
    amount = models.DecimalField(_("amount (NOK)"), max_digits=10, decimal_places=2)
    paying_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paid by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="cost_line_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            )
        ]

    def __str__(self):
        return f"{self.item}: {self.amount}"


class MemberLoginLink(models.Model):
    """A one-time way into the members' page for a member without an account: a link emailed
    by the worker, or a short code printed on a letter (for members without email). Only the
    SHA-256 of the token (or of the code) is stored."""

    class Via(models.TextChoices):
        EMAIL = "email", _("Email")
        LETTER = "letter", pgettext_lazy("post", "Letter")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="login_links")
    via = models.CharField(_("sent by"), max_length=10, choices=Via.choices, default=Via.EMAIL)
    # Empty until the task that emails the link makes its token; a letter's code is made when
    # the letter is printed.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Empty for a letter.
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(max_length=5, default="nb")
    requested_by_member = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("login link")
        verbose_name_plural = _("login links")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="unique_login_token"
            )
        ]

    def __str__(self):
        return f"{self.member} ({self.created_at:%Y-%m-%d %H:%M})"


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in the order `position` gives.

    A residents' meeting made from a council meeting copies the council's items marked
    `for_residents`; the copy points back with `council_item`, and what the residents said is
    kept on the council item (`residents_note`), so the council sees it when it meets.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    presenter = models.CharField(_("presenter"), max_length=150, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("concern"),
    )
    unwanted_event = models.ForeignKey(
        "risk.UnwantedEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("unwanted event"),
    )
    measure = models.ForeignKey(
        "plans.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("measure"),
    )
    for_residents = models.BooleanField(
        _("for the residents' meeting"),
        default=False,
        help_text=_("Discuss this item in a residents' meeting before the council meets."),
    )
    council_item = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="residents_items",
        verbose_name=_("council item"),
    )
    residents_note = models.TextField(
        _("what the residents said"), max_length=5000, blank=True, editable=False
    )
    residents_note_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The minutes' notes for this item (the working copy; approved versions are snapshots).
    notes = models.TextField(_("notes"), max_length=10000, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["meeting", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="agenda_item_duration_range",
            )
        ]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    """Whether a body's member came to a meeting or sent apologies."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        APOLOGIES = "apologies", _("Sent apologies")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance")
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"


class Minutes(models.Model):
    """The minutes of one meeting: a working copy (the agenda items' notes, the decisions and
    the attendance) and a workflow. Approving stores an unchangeable `MinutesVersion`;
    changing approved minutes starts the next version, so nothing approved is overwritten."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMMENTS = "comments", _("Sent to members for comments")
        APPROVED = "approved", _("Approved")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    summary = models.TextField(_("general notes"), max_length=10000, blank=True)
    head_count = models.PositiveIntegerField(
        _("number of people present"),
        null=True,
        blank=True,
        help_text=_("For open meetings: how many came, without names."),
    )
    sent_for_comments_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The version whose request for comments was emailed (claimed before sending).
    comments_emailed_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("approved by"),
    )
    # Public minutes: staff confirmed that nothing personal about residents is in them.
    is_public = models.BooleanField(_("public"), default=False, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(status="approved") | Q(version__gt=1),
                name="public_minutes_were_approved",
            )
        ]

    def __str__(self):
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})

    def get_absolute_url(self):
        return reverse("meetings:minutes_detail", args=[self.meeting.project_id, self.meeting_id])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class MinutesVersion(models.Model):
    """An approved version of the minutes as it read when approved (append-only)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    # {"summary", "head_count", "present": [names], "absent": [names], "apologies": [names],
    #  "items": [{"title", "presenter", "notes", "residents_note", "decisions": [text]}]}
    content = models.JSONField()
    approved_at = models.DateTimeField(_("approved"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_by_name = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "version"], name="unique_minutes_version")
        ]

    def __str__(self):
        return f"{self.minutes} v{self.version}"


class MinutesComment(models.Model):
    """A member's comment on minutes sent for comments, as staff recorded it."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveIntegerField(_("version"), editable=False)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="minutes_comments",
        verbose_name=_("member"),
    )
    text = models.TextField(_("comment"), max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment on minutes")
        verbose_name_plural = _("comments on minutes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:50]


class Decision(models.Model):
    """A decision under an agenda item. It may have created measures in the action plan
    (`Measure.decision`, related name `measures`)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"), max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        meeting = self.agenda_item.meeting
        return reverse("meetings:minutes_detail", args=[meeting.project_id, meeting.pk])


class AgendaTemplate(models.Model):
    """A named agenda to start meetings from: a body's usual items, or the project's."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agenda_templates")
    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_templates",
        verbose_name=_("body"),
    )
    name = models.CharField(_("name"), max_length=150)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agenda template")
        verbose_name_plural = _("agenda templates")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_agenda_template")
        ]

    def __str__(self):
        return self.name


class AgendaTemplateItem(models.Model):
    template = models.ForeignKey(AgendaTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    presenter = models.CharField(_("presenter"), max_length=150, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    for_residents = models.BooleanField(_("for the residents' meeting"), default=False)

    class Meta:
        verbose_name = _("agenda template item")
        verbose_name_plural = _("agenda template items")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


auditlog.register(Body)
auditlog.register(Member)
auditlog.register(Meeting, exclude_fields=["changed_at"])
auditlog.register(Series)
auditlog.register(CostLine)
auditlog.register(AgendaTemplate)
auditlog.register(AgendaItem)
auditlog.register(Attendance)
auditlog.register(Minutes, exclude_fields=["changed_at"])
auditlog.register(Decision)
