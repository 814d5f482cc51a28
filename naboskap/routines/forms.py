from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.projects.models import PHASE_ORDER, Phase, Project
from naboskap.routines import schema, selectors
from naboskap.routines.models import Milestone, ProjectTask, Routine, RoutinePhase, RoutineTask

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoutineForm(forms.ModelForm):
    milestones = forms.CharField(
        label=_("The routine's own milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, for example “Opening party”. Political hearing, political decision, "
            "first dialogue meeting and moving-in day are always there."
        ),
    )

    class Meta:
        model = Routine
        formfield_callback = bounded_formfield
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["milestones"].initial = "\n".join(
                m.name for m in self.instance.milestones.all()
            )

    def clean_milestones(self):
        found = {}
        for line in self.cleaned_data["milestones"].splitlines():
            name = line.strip()[:100]
            if not name:
                continue
            key = slugify(name)[:50]
            if not key:
                raise forms.ValidationError(
                    _("“%(name)s” needs at least one letter or digit."), params={"name": name}
                )
            if key in found:
                raise forms.ValidationError(_("“%(name)s” is listed twice."), params={"name": name})
            found[key] = name
        return list(found.items())


class RoutinePhaseForm(forms.ModelForm):
    class Meta:
        model = RoutinePhase
        formfield_callback = bounded_formfield
        fields = ["name", "project_phase"]

    def __init__(self, *args, routine: Routine, **kwargs):
        super().__init__(*args, **kwargs)
        self.routine = routine

    def clean_project_phase(self):
        """A routine follows the project forward: no phase may go back to an earlier one."""
        chosen = self.cleaned_data["project_phase"]
        others = self.routine.phases.exclude(pk=self.instance.pk)
        order = self.instance.order if self.instance.pk else 10_000
        before = others.filter(order__lt=order).order_by("-order").first()
        after = others.filter(order__gt=order).order_by("order").first()
        index = PHASE_ORDER.index(chosen)
        if before and PHASE_ORDER.index(before.project_phase) > index:
            raise forms.ValidationError(
                _(
                    "The phase before it, “%(name)s”, belongs to “%(phase)s”. A routine follows "
                    "the project forward and cannot go back to an earlier phase."
                ),
                params={"name": before.name, "phase": before.get_project_phase_display()},
            )
        if after and PHASE_ORDER.index(after.project_phase) < index:
            raise forms.ValidationError(
                _(
                    "The phase after it, “%(name)s”, belongs to “%(phase)s”, which comes "
                    "earlier. A routine follows the project forward."
                ),
                params={"name": after.name, "phase": after.get_project_phase_display()},
            )
        return chosen


class RoutineTaskForm(forms.ModelForm):
    anchor = forms.ChoiceField(label=_("Counted from"))

    class Meta:
        model = RoutineTask
        formfield_callback = bounded_formfield
        fields = ["title", "guidance", "responsible_role", "anchor", "offset_days"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "offset_days": _("For example −28 for four weeks before, 14 for two weeks after.")
        }

    def __init__(self, *args, routine: Routine, **kwargs):
        super().__init__(*args, **kwargs)
        self.routine = routine
        own = [(f"milestone:{m.key}", m.name) for m in routine.milestones.all()]
        self.fields["anchor"].choices = [
            (_("Start of a project phase"), [(f"phase:{v}", label) for v, label in Phase.choices]),
            (
                _("Milestone"),
                [(f"milestone:{v}", label) for v, label in Milestone.choices] + own,
            ),
        ]
        if self.instance.pk:
            self.fields["anchor"].initial = (
                f"phase:{self.instance.anchor_phase}"
                if self.instance.anchor_phase
                else f"milestone:{self.instance.anchor_milestone}"
            )

    def clean(self):
        cleaned = super().clean()
        kind, _sep, value = cleaned.get("anchor", "").partition(":")
        self.instance.anchor_phase = value if kind == "phase" else ""
        self.instance.anchor_milestone = value if kind == "milestone" else ""
        if "anchor" in cleaned and cleaned.get("offset_days") is not None:
            problem = schema.anchor_problem(
                cleaned.get("title", ""),
                {kind: value},
                cleaned["offset_days"],
                known_milestones=set(Milestone.values)
                | set(self.routine.milestones.values_list("key", flat=True)),
            )
            if problem:
                self.add_error("offset_days", problem)
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Routine file (JSON)"),
        help_text=_("A file exported from Naboskap. It becomes a draft you can check first."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > schema.MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large to be a routine."))
        try:
            return schema.parse_json(upload.read())
        except schema.RoutineFormatError as error:
            raise forms.ValidationError(error.problems) from None


class ApplyRoutineForm(forms.Form):
    routine = forms.ModelChoiceField(
        label=_("Routine"), queryset=Routine.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["routine"].queryset = selectors.published_routines_for(project)
        self.fields["routine"].label_from_instance = lambda r: (
            f"{r.name} (v{r.version})" if r.municipality_id else f"{r.name} – Naboskap"
        )


class MilestoneDatesForm(forms.Form):
    """One optional date per milestone the project's tasks count from."""

    def __init__(self, *args, project: Project, milestones: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        dates = dict(project.routine_milestones.values_list("key", "date"))
        self.names = dict(milestones)
        for key, name in milestones:
            self.fields[key] = DateField(
                label=name, required=False, initial=dates.get(key), widget=DATE_WIDGET
            )

    def dates(self) -> dict:
        return {key: (self.names[key], value) for key, value in self.cleaned_data.items()}


class HttpsURLField(forms.URLField):
    """A link typed without a scheme is taken as https://."""

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class TaskCompleteForm(forms.ModelForm):
    class Meta:
        model = ProjectTask
        formfield_callback = bounded_formfield
        fields = [
            "status",
            "evidence_update",
            "evidence_measure",
            "evidence_meeting",
            "evidence_analysis",
            "evidence_note",
            "evidence_url",
        ]
        widgets = {
            "status": forms.RadioSelect,
            "evidence_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "evidence_update": _("A published update that shows it"),
            "evidence_measure": _("A measure in the action plan that shows it"),
            "evidence_meeting": _("A meeting that shows it"),
            "evidence_analysis": _("A risk and vulnerability analysis that shows it"),
            "evidence_note": _("Note"),
            "evidence_url": _("Link to a document or a meeting"),
        }
        field_classes = {"evidence_url": HttpsURLField}
        help_texts = {
            "evidence_note": _("What was done, or why the task is not relevant."),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_update"].queryset = project.updates.filter(
            published_at__isnull=False
        ).order_by("-published_at")
        self.fields["evidence_measure"].queryset = project.measures.order_by("title")
        self.fields["evidence_meeting"].queryset = project.meetings.order_by("-starts_at")
        self.fields["evidence_analysis"].queryset = project.risk_analyses.order_by(
            "title", "-revision"
        )

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        evidence = [cleaned.get(f) for f in self.Meta.fields[1:]]
        if status == ProjectTask.Status.DONE and not any(evidence):
            raise forms.ValidationError(
                _(
                    "Show what the task was done with: an update, a measure, a meeting, an "
                    "analysis, a note or a link."
                )
            )
        if status == ProjectTask.Status.NOT_RELEVANT and not cleaned.get("evidence_note"):
            self.add_error("evidence_note", _("Say why the task is not relevant."))
        return cleaned
