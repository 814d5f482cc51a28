"""Forms of the action plan: validation only; views call plans.services."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Category
from naboskap.lib.forms import bounded_formfield
from naboskap.plans.models import SOURCE_FIELDS, Measure, Participation
from naboskap.plans.selectors import GROUPINGS
from naboskap.projects.models import Project
from naboskap.tenancy.models import Unit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PART_PREFIX = "part_"
# How a source model reaches its project, where that is not a `project` foreign key.
SOURCE_PROJECT_LOOKUPS: dict[str, str] = {
    "unwanted_event": "analysis__project",
    "decision": "agenda_item__meeting__project",
}


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


def _check_cancel_reason(form: forms.Form, cleaned: dict) -> None:
    if (
        cleaned.get("status") == Measure.Status.CANCELLED
        and not (cleaned.get("cancel_reason") or "").strip()
    ):
        form.add_error("cancel_reason", _("Give a reason for cancelling the measure."))


class MeasureForm(forms.ModelForm):
    """A whole measure, with one "part" choice per unit of the municipality (RACI)."""

    class Meta:
        model = Measure
        formfield_callback = bounded_formfield
        fields = [
            "title",
            "description",
            "kind",
            "owner_unit",
            "responsible",
            "due_date",
            "phase",
            "status",
            "cancel_reason",
            "progress",
            *SOURCE_FIELDS,
            "categories",
            "is_public",
            "public_text",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "public_text": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE_WIDGET,
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
            "categories": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "kind": _(
                "For a measure against an unwanted event of a ROS analysis: whether it makes "
                "the event less likely or its consequences smaller."
            ),
            "cancel_reason": _("Required when the measure is cancelled."),
            "progress": _("From 0 to 100. A measure that is done is 100 %."),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        municipality = project.municipality
        # Retired units are offered only where this measure uses them already.
        units = Unit.objects.filter(municipality=municipality)
        taking_part = units.filter(participations__measure_id=self.instance.pk or 0)
        self.units = list((units.in_use() | taking_part).distinct().order_by("name"))
        self.fields["owner_unit"].queryset = units.offered(current=self.instance.owner_unit_id)
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality=municipality, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["responsible"].label_from_instance = person_label
        self.fields["progress"].min_value = 0
        # Sources from this project only (the fields' querysets are the source models').
        for name in SOURCE_FIELDS:
            field = self.fields[name]
            lookup = SOURCE_PROJECT_LOOKUPS.get(name, "project")
            field.queryset = field.queryset.filter(**{lookup: project}).order_by("-pk")
        self.fields["concern"].label_from_instance = lambda c: c.reference
        self.fields["categories"].queryset = Category.objects.filter(
            Q(active=True) | Q(measures=self.instance.pk or 0), municipality=municipality
        ).distinct()
        current = {}
        if self.instance.pk:
            current = {p.unit_id: p.part for p in self.instance.participations.all()}
        choices = [("", _("Not involved")), *Participation.Part.choices]
        for unit in self.units:
            self.fields[f"{PART_PREFIX}{unit.pk}"] = forms.ChoiceField(
                label=unit.name, choices=choices, required=False, initial=current.get(unit.pk)
            )

    def part_fields(self):
        return [self[f"{PART_PREFIX}{unit.pk}"] for unit in self.units]

    def measure_fields(self):
        return [self[name] for name in self.Meta.fields]

    def clean_progress(self):
        progress = self.cleaned_data.get("progress")
        if progress is not None and not 0 <= progress <= 100:
            raise forms.ValidationError(_("Progress is a percentage from 0 to 100."))
        return progress

    def clean(self):
        cleaned = super().clean()
        _check_cancel_reason(self, cleaned)
        if sum(bool(cleaned.get(name)) for name in SOURCE_FIELDS) > 1:
            raise forms.ValidationError(_("A measure comes from one source at most."))
        if cleaned.get("is_public") and not (cleaned.get("public_text") or "").strip():
            self.add_error("public_text", _("Write the text the public page shows."))
        return cleaned

    def _post_clean(self):
        # The project is not a form field; set it so model validation sees the whole row.
        self.instance.project = self.project
        super()._post_clean()

    def measure_data(self) -> dict:
        """The measure's own fields; the categories go apart (`categories`)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "categories"}

    def categories(self) -> list:
        return list(self.cleaned_data["categories"])

    def participations(self) -> dict:
        return {
            unit: self.cleaned_data[f"{PART_PREFIX}{unit.pk}"]
            for unit in self.units
            if self.cleaned_data.get(f"{PART_PREFIX}{unit.pk}")
        }


# What a link may fill in on a new measure's form, besides its source (`?concern=…`):
# "What works" adopts a measure that worked elsewhere this way (`?title=…&kind=…&category=noise
# &description=Adopted from: …`). Category codes, as they are the same across municipalities.
QUERY_TEXT_FIELDS = {"title": 200, "description": 5000}


def initial_from_query(query, *, project: Project) -> dict:
    """Initial values for a new measure from the page's query string; what is not valid is
    left out (the form is only filled in, nothing is saved)."""
    initial = {
        name: query[name].strip()[:length]
        for name, length in QUERY_TEXT_FIELDS.items()
        if query.get(name, "").strip()
    }
    if query.get("kind") in Measure.Kind.values:
        initial["kind"] = query["kind"]
    codes = query.getlist("category")[:50]
    if codes:
        initial["categories"] = list(
            Category.objects.filter(
                municipality_id=project.municipality_id, code__in=codes, active=True
            ).values_list("pk", flat=True)
        )
    return initial


class ProgressForm(forms.Form):
    """The owner unit's quick report: status and progress, with a note."""

    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
    )
    cancel_reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        max_length=500,
        help_text=_("Required when the measure is cancelled."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, or why it is late. Shown in the history."),
    )

    def clean(self):
        cleaned = super().clean()
        _check_cancel_reason(self, cleaned)
        return cleaned


class PlanFilterForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("source", _("Source")), ("unit", _("Owner unit"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Measure.Status.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (owner or participating)"), required=False, queryset=Unit.objects.none()
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, municipality_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality_id__in=municipality_ids)

    def grouping(self) -> str:
        group = self.cleaned_data.get("group") if self.is_valid() else ""
        return group if group in GROUPINGS else GROUPINGS[0]
