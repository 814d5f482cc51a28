from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.projects.models import PHASE_ORDER, ContactPoint, Phase, Project, Update
from naboskap.projects.selectors import news_held
from naboskap.projects.validators import validate_one_line_title
from naboskap.tenancy.models import Municipality, Unit

NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def slug_from_name(name: str) -> str:
    """`Bjørkeveien` → `bjorkeveien`, as Norwegians write such addresses on the web."""
    return slugify(name.translate(NORWEGIAN_LETTERS))[:80].strip("-")


def display_name(user) -> str:
    return user.get_full_name() or user.username


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        formfield_callback = bounded_formfield
        fields = [
            "name",
            "slug",
            "kind",
            "address",
            "latitude",
            "longitude",
            "description",
            "target_group",
            "dwellings_with_tenancy",
            "dwellings_temporary",
            "dwellings_emergency",
            "responsible_unit",
            "participating_units",
            "dialogue_owner",
            "visibility",
        ]
        widgets = {"participating_units": forms.CheckboxSelectMultiple}

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        # Retired units are offered only where the project has them already.
        units = Unit.objects.filter(municipality=municipality)
        current = list(self.instance.participating_units.all()) if self.instance.pk else []
        self.fields["responsible_unit"].queryset = units.offered(
            current=self.instance.responsible_unit_id
        )
        self.fields["participating_units"].queryset = (
            units.in_use() | units.filter(pk__in=[unit.pk for unit in current])
        ).distinct()
        self.fields["dialogue_owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality=municipality, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["dialogue_owner"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Used in the public web address. Leave empty to make one from the name."
        )
        held = news_held(self.instance).count() if self.instance.pk else 0
        if held and not self.instance.is_public:
            # Asked before the project goes public: its subscribers never got this news.
            self.fields["send_held_news"] = forms.BooleanField(
                required=False,
                initial=True,
                label=ngettext(
                    "Send the news published while the project was hidden to its subscribers "
                    "when it becomes public (%(count)d update)",
                    "Send the news published while the project was hidden to its subscribers "
                    "when it becomes public (%(count)d updates)",
                    held,
                )
                % {"count": held},
                help_text=_("Untick to publish the project without emailing that news."),
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slug_from_name(self.cleaned_data.get("name", ""))
        if not slug:
            raise forms.ValidationError(_("Enter a name or a web address."))
        taken = Project.objects.filter(municipality=self.municipality, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another project already uses this web address."))
        return slug

    def _post_clean(self):
        # The municipality is not a form field; set it so model validation sees the whole row.
        self.instance.municipality = self.municipality
        super()._post_clean()


class PhaseForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("New phase"), choices=Phase.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["to_phase"].initial = project.phase

    def clean_to_phase(self):
        phase = self.cleaned_data["to_phase"]
        if phase == self.project.phase:
            raise forms.ValidationError(_("The project is already in this phase."))
        return phase


class PlannedPhasesForm(forms.Form):
    """One optional date field per phase after the current one."""

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        planned = {p.phase: p.planned_start for p in project.planned_phases.all()}
        coming = PHASE_ORDER[PHASE_ORDER.index(project.phase) + 1 :]
        for phase in coming:
            self.fields[phase] = DateField(
                label=Phase(phase).label,
                required=False,
                initial=planned.get(phase),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        formfield_callback = bounded_formfield
        fields = ["function", "phone", "email", "opening_hours", "on_duty_phone", "position"]

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("phone") or cleaned.get("email") or cleaned.get("on_duty_phone")):
            raise forms.ValidationError(_("Give at least a phone number or an email address."))
        return cleaned


class UpdateForm(forms.ModelForm):
    class Meta:
        model = Update
        formfield_callback = bounded_formfield
        fields = ["title", "body", "phase", "published_at"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "published_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def clean_title(self):
        title = self.cleaned_data["title"]
        validate_one_line_title(title)
        return title
