from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.meetings.models import Body, Invitation, Meeting, Member
from naboskap.meetings.selectors import active_members_filter
from naboskap.projects.models import Project
from naboskap.tenancy.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = ["name", "mandate", "secretariat", "meeting_interval_months"]
        widgets = {"mandate": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["secretariat"].queryset = Unit.objects.filter(
            municipality_id=project.municipality_id
        )
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


class MeetingForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )
    invite_members = forms.BooleanField(
        label=_("Invite the body's members now"),
        required=False,
        help_text=_("By email with a calendar file, or by letter for those without email."),
    )

    class Meta:
        model = Meeting
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
        if self.instance.pk:
            del self.fields["invite_members"]

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
        if cleaned.get("invite_members"):
            if not cleaned.get("body"):
                self.add_error("invite_members", _("Choose the body whose members to invite."))
            if starts and starts <= timezone.now():
                self.add_error(
                    "starts_at",
                    _(
                        "This time is in the past. Invitations can only go out for a meeting "
                        "that is still to come: change the time, or leave out the invitations."
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
    subscribers = forms.BooleanField(
        label=_("Everyone who subscribes to the project's news"), required=False
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        members = Member.objects.filter(
            active_members_filter(timezone.localdate()), body__project_id=meeting.project_id
        ).select_related("body")
        if meeting.body_id:
            members = members.filter(body_id=meeting.body_id)
        self.fields["members"].queryset = members.order_by("body__name", "name")
        self.fields["members"].label_from_instance = lambda m: (
            f"{m.name} ({m.get_position_display().lower()}, {m.body.name})"
            + ("" if m.email else f" – {_('letter')}")
        )
        if not (meeting.is_public and meeting.project.is_public):
            del self.fields["subscribers"]

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("members") or cleaned.get("people") or cleaned.get("subscribers")
        if not self.errors and not chosen:
            raise forms.ValidationError(_("Choose whom to invite."))
        return cleaned


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
