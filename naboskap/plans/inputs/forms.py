"""Staff forms for inputs: validation only; views call plans.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.plans.models import Input
from naboskap.projects.models import Project
from naboskap.tenancy.models import Unit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
THEME_LIST_ID = "input-themes"


def _with_all(choices) -> list:
    return [("", _("All")), *choices]


class InputFilterForm(forms.Form):
    q = forms.CharField(label=_("Search the text"), required=False, max_length=200)
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=_with_all(Input.Decision.choices)
    )
    moderation = forms.ChoiceField(
        label=_("Publication"), required=False, choices=_with_all(Input.Moderation.choices)
    )
    origin = forms.ChoiceField(
        label=_("Where it came from"), required=False, choices=_with_all(Input.Origin.choices)
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)

    def __init__(self, *args, themes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = _with_all((theme, theme) for theme in themes)


class InputForm(forms.ModelForm):
    """What was said, where, when and by whom."""

    class Meta:
        model = Input
        formfield_callback = bounded_formfield
        fields = ["text", "origin", "from_whom", "theme", "received_on", "contact_email"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "received_on": DATE_WIDGET,
            "theme": forms.TextInput(attrs={"list": THEME_LIST_ID}),
        }
        help_texts = {
            "theme": _(
                "For example traffic, safety or the outdoor area. Inputs are grouped by it."
            ),
            "contact_email": _(
                "Only if they want an answer. Only the staff who handle inputs see it, and it "
                "is deleted some time after the decision."
            ),
        }

    def input_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Input.Decision.choices, widget=forms.RadioSelect
    )
    decision_reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required unless it is under consideration. Shown on the public page once the "
            "input is published."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "decision-%s")  # one page holds several forms
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if (
            decision
            and decision != Input.Decision.UNDER_CONSIDERATION
            and not (cleaned.get("decision_reason") or "").strip()
        ):
            self.add_error("decision_reason", _("Give a reason for the decision."))
        return cleaned


class PublishForm(forms.Form):
    public_text = forms.CharField(
        label=_("Public text"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the public page shows: the point of the input in your own words. Leave out "
            "names, addresses and anything about the residents."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "publish-%s")
        super().__init__(*args, **kwargs)


class InputMeasureForm(forms.Form):
    """A measure the input led to."""

    title = forms.CharField(label=_("Title"), max_length=200)
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    due_date = DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    is_public = forms.BooleanField(label=_("Show on the public project page"), required=False)
    public_text = forms.CharField(
        label=_("Public text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What neighbours see. Leave out names and anything about residents."),
    )

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("initial", {"owner_unit": project.responsible_unit_id})
        kwargs.setdefault("auto_id", "measure-%s")
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = (
            Unit.objects.filter(municipality_id=project.municipality_id).in_use().order_by("name")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_public") and not (cleaned.get("public_text") or "").strip():
            self.add_error("public_text", _("Write the text the public page shows."))
        return cleaned
