from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.meetings.models import Body, Invitation, Meeting, Member, Series
from naboskap.meetings.selectors import active_members_filter
from naboskap.projects.models import Project
from naboskap.stakeholders.models import Organisation, Person
from naboskap.stakeholders.register.selectors import persons_for_user
from naboskap.tenancy.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        formfield_callback = bounded_formfield
        fields = ["name", "mandate", "secretariat", "meeting_interval_months"]
        widgets = {"mandate": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["secretariat"].queryset = Unit.objects.filter(
            municipality_id=project.municipality_id
        ).offered(current=self.instance.secretariat_id)
        self.fields["meeting_interval_months"].min_value = 1
        self.fields["meeting_interval_months"].max_value = 24
        self.fields["meeting_interval_months"].widget.attrs.update(min=1, max=24)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Body.objects.filter(project=self.project, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This project already has a body with this name."))
        return name

    def _post_clean(self):
        self.instance.project = self.project
        super()._post_clean()


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        formfield_callback = bounded_formfield
        fields = [
            "name",
            "category",
            "position",
            "email",
            "phone",
            "postal_address",
            "term_start",
            "term_end",
            "user",
        ]
        widgets = {"term_start": DATE, "term_end": DATE}

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality_id=body.project.municipality_id)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term cannot end before it starts."))
        return cleaned

    def _post_clean(self):
        self.instance.body = self.body
        super()._post_clean()


def add_template_field(form: forms.Form, project: Project) -> None:
    """Offer the project's agenda templates on a form that makes new meetings."""
    templates = project.agenda_templates.select_related("body").order_by("name")
    form.fields["template"] = forms.ModelChoiceField(
        label=_("Agenda from a template"),
        queryset=templates,
        required=False,
        empty_label=_("No template: an empty agenda"),
        help_text=_("The template's items become the agenda; you can change them afterwards."),
    )
    form.fields["template"].label_from_instance = lambda t: (
        f"{t.name} ({t.body.name})" if t.body_id else t.name
    )


class MeetingForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Meeting
        formfield_callback = bounded_formfield
        fields = [
            "kind",
            "title",
            "body",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "description",
            "is_public",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["body"].queryset = project.bodies.all()
        self.fields["body"].help_text = _("For a council meeting: the council that meets.")
        if not self.instance.pk:
            add_template_field(self, project)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not (cleaned.get("place") or cleaned.get("online_url")) and not self.has_error("place"):
            self.add_error("place", _("Give a place or an online meeting link."))
        moved_to_past = (
            self.instance.pk
            and starts
            and starts <= timezone.now() < self.instance.starts_at
            and self.instance.invitations.exists()
        )
        if moved_to_past:
            self.add_error(
                "starts_at",
                _(
                    "This time is in the past, and people are invited to this meeting. Choose "
                    "a time to come, or cancel the meeting."
                ),
            )
        return cleaned

    def _post_clean(self):
        self.instance.project = self.project
        super()._post_clean()


class PeopleField(forms.CharField):
    """One invitee per line: `Name; email` or `Name; postal address` (for a letter)."""

    def clean(self, value):
        value = super().clean(value)
        people, errors = [], []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, contact = (part.strip() for part in line.partition(";"))
            person = {"name": name[:150], "email": "", "postal_address": ""}
            if "@" in contact:
                try:
                    validate_email(contact)
                except forms.ValidationError:
                    errors.append(
                        _("Line %(n)s: “%(email)s” is not a valid email address.")
                        % {"n": number, "email": contact}
                    )
                    continue
                person["email"] = contact
            else:
                person["postal_address"] = contact[:300]
            if not name:
                errors.append(_("Line %(n)s: give a name before the semicolon.") % {"n": number})
                continue
            people.append(person)
        if errors:
            raise forms.ValidationError(errors)
        return people


class InviteForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = PeopleField(
        label=_("Other people and organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: name; email address. Without an email address, write name; postal "
            "address and a letter is printed."
        ),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations in the stakeholder register"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    persons = forms.ModelMultipleChoiceField(
        label=_("Persons in the stakeholder register"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    subscribers = forms.BooleanField(
        label=_("Everyone who subscribes to the project's news"), required=False
    )

    def __init__(self, *args, meeting: Meeting, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        # The project's stakeholders (persons only as far as the user may see them).
        project, municipality = meeting.project, meeting.project.municipality
        self.fields["organisations"].queryset = Organisation.objects.filter(
            municipality=municipality, projects=project
        ).order_by("name", "pk")
        self.fields["persons"].queryset = (
            persons_for_user(user, municipality).filter(projects=project)
            if user is not None
            else Person.objects.none()
        )
        for name in ("organisations", "persons"):
            self.fields[name].label_from_instance = lambda s: (
                s.name + ("" if s.email else f" – {_('letter')}")
            )
            if not self.fields[name].queryset.exists():
                del self.fields[name]
        # Current members, and members whose term covers the meeting's date: those are
        # invited without asking; anyone else here can be added by hand.
        on = timezone.localdate(meeting.starts_at)
        members = Member.objects.filter(
            active_members_filter(timezone.localdate()) | active_members_filter(on),
            body__project_id=meeting.project_id,
        ).select_related("body")
        if meeting.body_id:
            members = members.filter(body_id=meeting.body_id)
        self.fields["members"].queryset = members.order_by("body__name", "name")
        self.fields["members"].label_from_instance = lambda m: (
            f"{m.name} ({m.get_position_display().lower()}, {m.body.name})"
            + ("" if m.email else f" – {_('letter')}")
            + ("" if m.is_active(on) else f" – {_('the term does not cover the meeting date')}")
        )
        if not (meeting.is_public and meeting.project.is_public):
            del self.fields["subscribers"]

    def clean(self):
        cleaned = super().clean()
        chosen = any(
            cleaned.get(name)
            for name in ("members", "people", "organisations", "persons", "subscribers")
        )
        if not self.errors and not chosen:
            raise forms.ValidationError(_("Choose whom to invite."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone invited gets this with the cancellation, by email or letter."),
        error_messages={
            "required": _("Give the reason for cancelling. It is sent to everyone invited.")
        },
    )


class MeetingFilterForm(forms.Form):
    """The meetings list's filters (GET): by words in the title or place, body and kind."""

    q = forms.CharField(
        label=_("Search"),
        help_text=_("Words in the title or the place."),
        max_length=100,
        required=False,
    )
    organ = forms.ModelChoiceField(
        label=_("Body"), queryset=Body.objects.none(), required=False, empty_label=_("All")
    )
    type = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = project.bodies.order_by("name")
        self.fields["type"].choices = [("", _("All")), *Meeting.Kind.choices]


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Will you come?"),
        choices=[(r.value, r.label) for r in Invitation.Response if r != Invitation.Response.NONE],
        error_messages={
            "required": _("Choose yes, no or maybe."),
            "invalid_choice": _("Choose yes, no or maybe."),
        },
    )


class BounceForm(forms.Form):
    note = forms.CharField(label=_("What the bounce message said"), max_length=300, required=False)


class SeriesForm(forms.ModelForm):
    """A new series: the first meeting, how often, and until when."""

    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Series
        formfield_callback = bounded_formfield
        fields = [
            "kind",
            "title",
            "body",
            "first_starts_at",
            "duration_minutes",
            "frequency",
            "interval",
            "monthly_by",
            "until",
            "count",
            "place",
            "online_url",
            "description",
            "is_public",
            "invites_members",
        ]
        widgets = {
            "first_starts_at": DATETIME,
            "until": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "monthly_by": forms.RadioSelect,
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["body"].queryset = project.bodies.all()
        self.fields["body"].help_text = _(
            "Meetings of the same body may not overlap. Without a body, the series is the "
            "project's."
        )
        self.fields["interval"].min_value = 1
        self.fields["interval"].max_value = 12
        self.fields["interval"].widget.attrs.update(min=1, max=12)
        self.fields["duration_minutes"].min_value = 15
        self.fields["duration_minutes"].max_value = 1440
        self.fields["duration_minutes"].widget.attrs.update(min=15, max=1440, step=15)
        self.fields["count"].min_value = 1
        self.fields["count"].widget.attrs.update(min=1, max=60)
        self.fields["count"].help_text = _("Or a last date. At most 60 meetings.")
        self.fields["until"].help_text = _("Or a number of meetings.")
        self.fields["monthly_by"].help_text = _("Only for a monthly series.")
        add_template_field(self, project)

    def clean(self):
        cleaned = super().clean()
        starts = cleaned.get("first_starts_at")
        until, count = cleaned.get("until"), cleaned.get("count")
        if starts and starts <= timezone.now():
            self.add_error(
                "first_starts_at",
                _(
                    "This time is in the past. A new series must start at a time to come: "
                    "choose a later date."
                ),
            )
        if until is None and count is None and not self.has_error("until"):
            self.add_error("until", _("Give a last date or a number of meetings."))
        elif until is not None and count is not None:
            self.add_error("count", _("Give a last date or a number of meetings, not both."))
        elif until and starts and until < timezone.localtime(starts).date():
            self.add_error("until", _("The last date cannot be before the first meeting."))
        if not (cleaned.get("place") or cleaned.get("online_url")) and not self.has_error("place"):
            self.add_error("place", _("Give a place or an online meeting link."))
        if cleaned.get("invites_members") and not cleaned.get("body"):
            self.add_error("invites_members", _("Choose the body whose members to invite."))
        return cleaned

    def _post_clean(self):
        self.instance.project = self.project
        super()._post_clean()


class SeriesEditForm(forms.Form):
    """What may change for the meetings to come; how often the series repeats stays."""

    title = forms.CharField(label=_("Title"), max_length=150)
    start_time = forms.TimeField(
        label=_("Starts at (time of day)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=1440)
    until = DateField(label=_("Last date"), required=False, widget=DATE)
    count = forms.IntegerField(label=_("Number of meetings"), required=False, min_value=1)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_public = forms.BooleanField(label=_("Public"), required=False)

    def __init__(self, *args, series: Series, **kwargs):
        self.series = series
        first = timezone.localtime(series.first_starts_at)
        initial = {
            "title": series.title,
            "start_time": first.time(),
            "duration_minutes": series.duration_minutes,
            "until": series.until,
            "count": series.count,
            "place": series.place,
            "online_url": series.online_url,
            "description": series.description,
            "is_public": series.is_public,
        }
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        until, count = cleaned.get("until"), cleaned.get("count")
        if until is None and count is None and not self.has_error("until"):
            self.add_error("until", _("Give a last date or a number of meetings."))
        elif until is not None and count is not None:
            self.add_error("count", _("Give a last date or a number of meetings, not both."))
        elif until and until < timezone.localtime(self.series.first_starts_at).date():
            self.add_error("until", _("The last date cannot be before the first meeting."))
        if not (cleaned.get("place") or cleaned.get("online_url")) and not self.has_error("place"):
            self.add_error("place", _("Give a place or an online meeting link."))
        return cleaned


class AmountField(forms.DecimalField):
    """Kroner as people write them: `1250`, `1 250,50` or `1250.50`; never negative, at most
    two decimals (øre)."""

    default_error_messages = {
        "invalid": _("Write the amount as a number, for example 1250 or 1250,50."),
        "min_value": _("The amount cannot be negative."),
        "max_decimal_places": _("Give the amount with at most two decimals (øre)."),
        "max_digits": _("The amount is too large."),
        "max_whole_digits": _("The amount is too large."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("kr").removeprefix("kr").strip()
            value = "".join(value.split()).replace("\u2212", "-")  # spaces, and a real minus
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class BudgetForm(forms.Form):
    budget = AmountField(
        label=_("Budget (NOK)"),
        required=False,
        help_text=_("What the event may cost. Leave empty for no budget."),
    )


class CostLineForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=150)
    amount = AmountField(label=_("Amount (NOK)"))
    paying_unit = forms.ModelChoiceField(label=_("Paid by"), queryset=Unit.objects.none())

    def __init__(self, *args, project: Project, default_unit_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paying_unit"].queryset = (
            Unit.objects.filter(municipality_id=project.municipality_id)
            .offered(current=self.initial.get("paying_unit"))
            .order_by("name")
        )
        self.fields["paying_unit"].help_text = _("The unit that pays, often the facility.")
        if not self.is_bound:
            self.initial.setdefault("paying_unit", default_unit_id or project.responsible_unit_id)


class AgendaTemplateForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the template"),
        max_length=150,
        help_text=_("For example: Ordinary council meeting."),
    )
