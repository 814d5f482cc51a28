"""Forms for agendas, the residents' meeting and minutes (validation only)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Concern
from naboskap.lib.forms import DateField, DateTimeField, bounded_formfield
from naboskap.meetings.forms import DATE, DATETIME
from naboskap.meetings.models import AgendaItem, Attendance, Meeting, Member, Minutes
from naboskap.plans.models import Measure
from naboskap.projects.models import Project
from naboskap.risk.models import UnwantedEvent
from naboskap.tenancy.models import Unit


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        formfield_callback = bounded_formfield
        fields = [
            "title",
            "description",
            "presenter",
            "duration_minutes",
            "concern",
            "unwanted_event",
            "measure",
            "for_residents",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this project's objects can be chosen (the service checks again).
        self.fields["concern"].queryset = Concern.objects.filter(project=project).order_by("-pk")
        self.fields["concern"].label_from_instance = lambda c: c.reference
        self.fields["unwanted_event"].queryset = (
            UnwantedEvent.objects.filter(analysis__project=project)
            .select_related("analysis")
            .order_by("-analysis__revision", "number")
        )
        self.fields["measure"].queryset = Measure.objects.filter(project=project).order_by("title")
        duration = self.fields["duration_minutes"]
        duration.min_value, duration.max_value = 1, 600
        duration.widget.attrs.update(min=1, max=600)
        duration.validators += [MinValueValidator(1), MaxValueValidator(600)]


class ResidentsMeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    starts_at = DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = DateTimeField(label=_("Ends"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), max_length=200)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return cleaned


class ResidentsNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What the residents said"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The council sees this under the item. Write no names of residents."),
    )


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Minutes
        formfield_callback = bounded_formfield
        fields = ["summary", "head_count"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class ItemNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    measure_title = forms.CharField(
        label=_("Measure in the action plan (optional)"),
        max_length=200,
        required=False,
        help_text=_("Give a title to put a measure in the project's action plan."),
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owner unit"), queryset=Unit.objects.none(), required=False
    )
    due_date = DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = (
            Unit.objects.filter(municipality_id=project.municipality_id).in_use().order_by("name")
        )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("measure_title") or "").strip():
            if not cleaned.get("owner_unit") and not self.has_error("owner_unit"):
                self.add_error("owner_unit", _("A measure needs an owner unit."))
            if not cleaned.get("due_date") and not self.has_error("due_date"):
                self.add_error("due_date", _("A measure needs a deadline."))
        return cleaned


class AttendanceForm(forms.Form):
    """One compact row per member of the body: present, absent or sent apologies (a row
    left empty is not recorded)."""

    PREFIX = "member_"

    def __init__(self, *args, members: list[Member], recorded: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"{self.PREFIX}{member.pk}"] = forms.ChoiceField(
                label=member.name,
                choices=Attendance.Status.choices,
                required=False,
                initial=recorded.get(member.pk, ""),
                widget=forms.RadioSelect,
            )

    def rows(self):
        """(member, bound field) per member, for the compact table."""
        return [(m, self[f"{self.PREFIX}{m.pk}"]) for m in self.members]

    def statuses(self) -> dict[Member, str]:
        return {m: self.cleaned_data[f"{self.PREFIX}{m.pk}"] for m in self.members}


class CommentForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("From"), queryset=Member.objects.none(), required=False, empty_label=_("Other")
    )
    text = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            meeting.body.members.order_by("name") if meeting.body_id else Member.objects.none()
        )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked: the minutes hold no personal information about residents."),
        required=False,
        help_text=_("Names, health, behaviour or other details about people who live there."),
    )
