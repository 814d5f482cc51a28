"""Forms of the stakeholder register: organisations and persons, interactions,
assessments, and the register file import."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.projects.models import Project
from naboskap.stakeholders.addresses.forms import ENCODINGS
from naboskap.stakeholders.models import (
    Assessment,
    Channel,
    ContactChannel,
    Interaction,
    Organisation,
    Person,
    Tag,
)
from naboskap.tenancy.models import Municipality

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVELS = [(n, str(n)) for n in range(1, 6)]
MAX_PK = 2**63 - 1


class PickMany(forms.ModelMultipleChoiceField):
    """Checkboxes of rows; ids that are not whole numbers within the database's range are
    refused as invalid choices (SQLite overflows on larger ones)."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # the parent reports it
            if not 0 < number <= MAX_PK:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class PickOne(forms.ModelChoiceField):
    """A row by id; an id beyond the database's range is an invalid choice, not a crash."""

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                number = int(str(value))
            except ValueError:
                number = None
            if number is not None and not 0 < number <= MAX_PK:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super().to_python(value)


def split_tags(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


class TagsField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Tags"),
            required=False,
            max_length=500,
            help_text=_("Separate tags with commas, e.g. school route, neighbours north."),
            **kwargs,
        )


class _StakeholderForm(forms.ModelForm):
    tags_text = TagsField()

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["projects"].queryset = Project.objects.filter(
            municipality=municipality
        ).order_by("name")
        self.fields["projects"].widget = forms.CheckboxSelectMultiple()
        self.fields["projects"].widget.choices = self.fields["projects"].choices
        if self.instance.pk and not self.is_bound:
            self.initial["tags_text"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tags_text(self):
        names = split_tags(self.cleaned_data["tags_text"])
        if any(len(name) > 50 for name in names):
            raise forms.ValidationError(_("A tag can be at most 50 characters long."))
        return names

    def _post_clean(self):
        self.instance.municipality = self.municipality
        super()._post_clean()

    def service_fields(self) -> dict:
        """What the services take: the model fields, the tag names and the projects."""
        data = dict(self.cleaned_data)
        return {
            "tag_names": data.pop("tags_text"),
            "projects": list(data.pop("projects")),
            "fields": data,
        }


class OrganisationForm(_StakeholderForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        formfield_callback = bounded_formfield
        fields = ["name", "kind", "email", "phone", "address", "website", "notes", "projects"]
        field_classes = {"projects": PickMany}

    def __init__(self, *args, municipality: Municipality, projects=None, **kwargs):
        super().__init__(*args, municipality=municipality, **kwargs)
        if projects is not None:
            # Only the projects whose stakeholders the user keeps (project scope).
            self.fields["projects"].queryset = projects
            self.fields["projects"].widget.choices = self.fields["projects"].choices


class PersonForm(_StakeholderForm):
    preferred_channels = forms.MultipleChoiceField(
        label=_("Preferred channels"),
        choices=ContactChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        formfield_callback = bounded_formfield
        fields = [
            "name",
            "kind",
            "email",
            "phone",
            "address",
            "organisation",
            "role",
            "notes",
            "projects",
            "lawful_basis",
            "consent_given_on",
            "consent_how",
            "consent_purpose",
            "preferred_channels",
        ]
        widgets = {"consent_given_on": DATE}
        field_classes = {"projects": PickMany, "organisation": PickOne}

    def __init__(self, *args, municipality: Municipality, projects=None, **kwargs):
        super().__init__(*args, municipality=municipality, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipality=municipality
        ).order_by("name")
        if projects is not None:
            # Those outside the user's teams: a person linked to them would vanish from view.
            self.fields["projects"].queryset = projects
            self.fields["projects"].widget.choices = self.fields["projects"].choices

    def clean(self):
        data = super().clean()
        if data.get("lawful_basis") == Person.LawfulBasis.CONSENT and not data.get(
            "consent_given_on"
        ):
            self.add_error(
                "consent_given_on", _("Give the date of the consent when consent is the basis.")
            )
        if data.get("consent_given_on") and data["consent_given_on"] > timezone.localdate():
            self.add_error("consent_given_on", _("The consent cannot be given in the future."))
        if data.get("role") and not data.get("organisation"):
            self.add_error("role", _("Choose the organisation the role is in."))
        return data


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_(
            "E.g. “The person asked to be erased (email of 4 May)”. Do not write the name."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the person's data cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = PickOne(label=_("Tag"), queryset=Tag.objects.none(), required=False, empty_label=_("All"))
    project = PickOne(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, municipality: Municipality, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *kinds]
        self.fields["tag"].queryset = Tag.objects.filter(municipality=municipality)
        self.fields["project"].queryset = Project.objects.filter(
            municipality=municipality
        ).order_by("name")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(name__icontains=data["q"])
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["tag"]:
            queryset = queryset.filter(tags=data["tag"])
        if data["project"]:
            queryset = queryset.filter(projects=data["project"])
        return queryset


class InteractionForm(forms.Form):
    occurred_on = DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Interaction.Direction.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea)
    organisations = PickMany(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    persons = PickMany(
        label=_("Persons"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_follow_up = forms.BooleanField(
        label=_("Needs follow-up"),
        required=False,
        help_text=_(
            "Puts a measure on the project's action plan, with this interaction as its source."
        ),
    )

    def __init__(self, *args, organisations, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["persons"].queryset = persons

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An interaction cannot be in the future."))
        return day


class AssessmentForm(forms.Form):
    stakeholder = forms.ChoiceField(label=_("Stakeholder"))
    assessed_on = DateField(label=_("Assessed on"), widget=DATE, initial=timezone.localdate)
    influence = forms.TypedChoiceField(
        label=_("Influence (1 = little, 5 = great)"), choices=[("", "–"), *LEVELS], coerce=int
    )
    affected = forms.TypedChoiceField(
        label=_("How affected (1 = little, 5 = greatly)"),
        choices=[("", "–"), *LEVELS],
        coerce=int,
    )
    stance = forms.ChoiceField(
        label=_("Stance"), choices=Assessment.Stance.choices, initial=Assessment.Stance.UNKNOWN
    )
    main_concerns = forms.CharField(
        label=_("Main concerns"), max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, organisations, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {f"o{o.pk}": o for o in organisations}
        self.persons = {f"p{p.pk}": p for p in persons}
        choices = [("", "---------")]
        if self.organisations:
            choices.append(
                (_("Organisations"), [(k, str(o)) for k, o in self.organisations.items()])
            )
        if self.persons:
            choices.append((_("Persons"), [(k, str(p)) for k, p in self.persons.items()]))
        self.fields["stakeholder"].choices = choices

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be in the future."))
        return day

    def stakeholder_kwargs(self) -> dict:
        key = self.cleaned_data["stakeholder"]
        if key in self.organisations:
            return {"organisation": self.organisations[key]}
        return {"person": self.persons[key]}


MAX_BYTES = 5 * 1024 * 1024


class RegisterImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            ("organisations", _("Organisations")),
            ("persons", _("Persons")),
        ],
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("At most 5 MB. The first line names the columns."),
    )
    encoding = forms.ChoiceField(label=_("Encoding (CSV only)"), choices=ENCODINGS, initial="utf-8")
    dry_run = forms.BooleanField(
        label=_("Check only: report what would happen, save nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
