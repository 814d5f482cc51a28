"""Forms for analyses, events, scores and scales. They validate; services save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.plans.models import Measure
from naboskap.risk.models import (
    Analysis,
    AnalysisMeeting,
    Colour,
    ConsequenceScore,
    Participant,
    RiskScale,
    UnwantedEvent,
)
from naboskap.risk.presets import PRESET_NAMES
from naboskap.risk.services import scale_errors
from naboskap.tenancy.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT = forms.Textarea(attrs={"rows": 3})


class AnalysisForm(forms.ModelForm):
    scale = forms.ModelChoiceField(
        label=_("Scale"),
        queryset=RiskScale.objects.none(),
        required=False,
        empty_label=_("The municipality's default scale"),
        help_text=_("The analysis keeps the version of the scale it is made with."),
    )

    class Meta:
        model = Analysis
        formfield_callback = bounded_formfield
        fields = ["title", "purpose", "method", "area_description", "next_revision_on"]
        widgets = {
            "purpose": SHORT,
            "method": SHORT,
            "area_description": SHORT,
            "next_revision_on": DATE,
        }

    def __init__(self, *args, municipality, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["scale"].queryset = RiskScale.objects.filter(municipality=municipality)
        else:
            del self.fields["scale"]


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        formfield_callback = bounded_formfield
        fields = ["kind", "name", "represents"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # an emptied row is removed


class MeetingForm(forms.ModelForm):
    class Meta:
        model = AnalysisMeeting
        formfield_callback = bounded_formfield
        fields = ["held_on", "note"]
        widgets = {"held_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].required = False  # an emptied row is removed


def _rows_formset(form_class, prefix: str, data, rows: list[dict], extra: int = 2):
    formset_class = forms.formset_factory(form_class, extra=extra)
    return formset_class(data, initial=rows, prefix=prefix)


def participant_formset(data, analysis: Analysis | None):
    rows = (
        [] if analysis is None else list(analysis.participants.values("kind", "name", "represents"))
    )
    return _rows_formset(ParticipantForm, "deltaker", data, rows, extra=3)


def meeting_formset(data, analysis: Analysis | None):
    rows = [] if analysis is None else list(analysis.meetings.values("held_on", "note"))
    return _rows_formset(MeetingForm, "mote", data, rows)


def formset_rows(formset, required: str) -> list[dict]:
    """The filled-in rows of a valid formset (a row without `required` is left out)."""
    return [form.cleaned_data for form in formset if form.cleaned_data.get(required)]


class EventForm(forms.ModelForm):
    class Meta:
        model = UnwantedEvent
        formfield_callback = bounded_formfield
        fields = [
            "title",
            "scenario",
            "causes",
            "existing_barriers",
            "vulnerability",
            "knock_on_effects",
        ]
        widgets = {name: SHORT for name in fields[1:]}


class ScoreForm(forms.Form):
    """Probability and one consequence per dimension, on the analysis's scale version, for
    one stage (before or after measures)."""

    def __init__(self, *args, scale, stage: str, event: UnwantedEvent, **kwargs):
        self.scale = scale
        self.stage = stage
        before = stage == ConsequenceScore.Stage.BEFORE
        initial = {
            "probability": event.probability if before else event.residual_probability,
            "probability_justification": event.probability_justification
            if before
            else event.residual_probability_justification,
        }
        for score in event.scores.all():
            if score.stage == stage:
                initial[f"dim_{score.dimension_id}"] = score.level
                initial[f"dim_{score.dimension_id}_why"] = score.justification
        for name in self.assessment_fields():
            initial[name] = getattr(event, name)
        super().__init__(*args, initial=initial, prefix=stage, **kwargs)
        invalid = _("Choose a level from 1 to %(size)d on this analysis's scale.") % {
            "size": scale.size
        }
        self.fields["probability"] = self._level_field(
            _("Probability"), scale.probability_levels, invalid
        )
        self.fields["probability_justification"] = forms.CharField(
            label=_("Justification of the probability"),
            required=False,
            max_length=5000,
            widget=SHORT,
        )
        for dimension in scale.dimensions:
            label = (
                dimension.name
                if dimension.required
                else _("%(name)s (optional)") % {"name": dimension.name}
            )
            self.fields[f"dim_{dimension.pk}"] = self._level_field(
                label, dimension.levels.all(), invalid
            )
            self.fields[f"dim_{dimension.pk}_why"] = forms.CharField(
                label=_("Justification: %(name)s") % {"name": dimension.name},
                required=False,
                max_length=5000,
                widget=SHORT,
            )
        model_fields = forms.fields_for_model(UnwantedEvent, fields=self.assessment_fields())
        for name, field in model_fields.items():
            if isinstance(field.widget, forms.Textarea):
                field.widget = forms.Textarea(attrs={"rows": 3})
            self.fields[name] = field

    def assessment_fields(self) -> list[str]:
        if self.stage == ConsequenceScore.Stage.BEFORE:
            return [
                "knowledge",
                "knowledge_data",
                "knowledge_understanding",
                "knowledge_agreement",
                "sensitivity_note",
            ]
        return ["acceptance", "acceptance_reason"]

    @staticmethod
    def _level_field(label, levels, invalid: str) -> forms.TypedChoiceField:
        choices = [("", _("Not scored"))] + [
            (level.value, f"{level.value} – {level.name}: {level.definition}") for level in levels
        ]
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            error_messages={"invalid_choice": invalid},
        )

    def dimension_fields(self):
        return [(self[f"dim_{d.pk}"], self[f"dim_{d.pk}_why"]) for d in self.scale.dimensions]

    def clean(self):
        data = super().clean()
        probability = data.get("probability")
        levels = {d.pk: data.get(f"dim_{d.pk}") for d in self.scale.dimensions}
        if "probability" in data and probability is None and any(levels.values()):
            self.add_error("probability", _("Give the probability too."))
        if probability is not None:
            for dimension in self.scale.dimensions:
                name = f"dim_{dimension.pk}"
                if dimension.required and name in data and levels[dimension.pk] is None:
                    self.add_error(name, _("This dimension must be scored on this scale."))
        reason = str(data.get("acceptance_reason", "")).strip()
        if self.stage == ConsequenceScore.Stage.AFTER and data.get("acceptance") and not reason:
            self.add_error("acceptance_reason", _("Give a reason for the decision."))
        return data

    def consequences(self) -> dict:
        return {
            d.pk: (
                self.cleaned_data[f"dim_{d.pk}"],
                self.cleaned_data[f"dim_{d.pk}_why"],
            )
            for d in self.scale.dimensions
        }

    def assessment(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.assessment_fields()}


class EventMeasureForm(forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=SHORT
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=Measure.Kind.choices, widget=forms.RadioSelect
    )
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    due_date = DateField(label=_("Due date"), required=False, widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"), choices=Measure.Status.choices, initial=Measure.Status.PLANNED
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(municipality=municipality).in_use()


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=Analysis.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=SHORT)


class ScaleCreateForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Start from"),
        choices=RiskScale.Preset.choices,
        initial=RiskScale.Preset.NABOLAG,
        widget=forms.RadioSelect,
    )
    size = forms.TypedChoiceField(
        label=_("Levels"),
        choices=[(5, _("5 × 5")), (4, _("4 × 4"))],
        coerce=int,
        initial=5,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=150,
        help_text=_("Leave empty to use the preset's name."),
    )

    def scale_name(self) -> str:
        data = self.cleaned_data
        return data["name"].strip() or PRESET_NAMES[data["preset"]] + (
            "" if data["size"] == 5 else " 4×4"
        )


class ScaleEditForm(forms.Form):
    """Every level, definition, cell colour and acceptance criterion of a scale, in one
    form. The content is checked as a whole (every cell coloured, levels in order,
    definitions present)."""

    name = forms.CharField(label=_("Name"), max_length=150)

    def __init__(self, *args, scale: RiskScale, content: dict, **kwargs):
        self.content = content
        initial = {"name": scale.name}
        size = content["size"]
        self.levels = {"p": content["probability"]}
        for index, dimension in enumerate(content["dimensions"]):
            initial[f"d{index}_name"] = dimension["name"]
            initial[f"d{index}_required"] = dimension["required"]
            self.levels[f"d{index}"] = dimension["levels"]
        for prefix, levels in self.levels.items():
            for i, level in enumerate(levels, start=1):
                for key in ("value", "name", "definition"):
                    initial[f"{prefix}_{i}_{key}"] = level[key]
        for i, level in enumerate(content["probability"], start=1):
            initial[f"p_{i}_observed"] = level.get("observed_per_year_from")
        for (p, c), colour in content["cells"].items():
            initial[f"cell_{p}_{c}"] = colour
        for colour, text in content["criteria"].items():
            initial[f"criteria_{colour}"] = text
        super().__init__(*args, initial=initial, **kwargs)
        for index, _dimension in enumerate(content["dimensions"]):
            self.fields[f"d{index}_name"] = forms.CharField(
                label=_("Dimension"), max_length=100, required=False
            )
            self.fields[f"d{index}_required"] = forms.BooleanField(
                label=_("Every event must be scored in it"), required=False
            )
        for prefix in self.levels:
            for i in range(1, size + 1):
                self.fields[f"{prefix}_{i}_value"] = forms.IntegerField(
                    label=_("Level"), min_value=1, max_value=size, required=False
                )
                self.fields[f"{prefix}_{i}_name"] = forms.CharField(
                    label=_("Name"), max_length=100, required=False
                )
                self.fields[f"{prefix}_{i}_definition"] = forms.CharField(
                    label=_("Definition"), max_length=1000, required=False
                )
        for i in range(1, size + 1):
            self.fields[f"p_{i}_observed"] = forms.FloatField(
                label=_("Level %(level)d from (concerns per year)") % {"level": i},
                min_value=0,
                max_value=100000,
                required=False,
            )
        for p in range(1, size + 1):
            for c in range(1, size + 1):
                self.fields[f"cell_{p}_{c}"] = forms.ChoiceField(
                    label=_("Probability %(p)d, consequence %(c)d") % {"p": p, "c": c},
                    choices=[("", _("No colour")), *Colour.choices],
                    required=False,
                )
        for colour, label in Colour.choices:
            self.fields[f"criteria_{colour}"] = forms.CharField(
                label=label, max_length=2000, required=False, widget=SHORT
            )

    def level_rows(self, prefix: str):
        size = self.content["size"]
        return [
            (
                self[f"{prefix}_{i}_value"],
                self[f"{prefix}_{i}_name"],
                self[f"{prefix}_{i}_definition"],
            )
            for i in range(1, size + 1)
        ]

    def sections(self):
        """(heading field or None, required field or None, level rows) per part of the scale."""
        rows = [(None, None, self.level_rows("p"))]
        for index, _dimension in enumerate(self.content["dimensions"]):
            rows.append(
                (self[f"d{index}_name"], self[f"d{index}_required"], self.level_rows(f"d{index}"))
            )
        return rows

    def cell_rows(self):
        size = self.content["size"]
        return [
            (p, [self[f"cell_{p}_{c}"] for c in range(1, size + 1)]) for p in range(size, 0, -1)
        ]

    def criteria_fields(self):
        return [self[f"criteria_{colour}"] for colour in Colour.values]

    def observed_fields(self):
        return [self[f"p_{i}_observed"] for i in range(1, self.content["size"] + 1)]

    def edited_content(self) -> dict:
        data = self.cleaned_data
        size = self.content["size"]

        def levels(prefix):
            return [
                {
                    "value": data.get(f"{prefix}_{i}_value"),
                    "name": (data.get(f"{prefix}_{i}_name") or "").strip(),
                    "definition": (data.get(f"{prefix}_{i}_definition") or "").strip(),
                }
                for i in range(1, size + 1)
            ]

        return {
            "size": size,
            "probability": [
                {**level, "observed_per_year_from": data.get(f"p_{i}_observed")}
                for i, level in enumerate(levels("p"), start=1)
            ],
            "dimensions": [
                {
                    "key": dimension["key"],
                    "name": (data.get(f"d{index}_name") or "").strip(),
                    "required": data.get(f"d{index}_required", False),
                    "levels": levels(f"d{index}"),
                }
                for index, dimension in enumerate(self.content["dimensions"])
            ],
            "cells": {
                (p, c): data.get(f"cell_{p}_{c}", "")
                for p in range(1, size + 1)
                for c in range(1, size + 1)
            },
            "criteria": {colour: data.get(f"criteria_{colour}", "") for colour in Colour.values},
        }

    def clean(self):
        data = super().clean()
        if not self.errors:
            for error in scale_errors(self.edited_content()):
                self.add_error(None, error)
        return data


# Scoring rounds ----------------------------------------------------------------------------


class RoundOpenForm(forms.Form):
    events = forms.ModelMultipleChoiceField(
        label=_("Events to score"),
        queryset=UnwantedEvent.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to score.")},
    )

    def __init__(self, *args, analysis: Analysis, **kwargs):
        super().__init__(*args, **kwargs)
        events = analysis.events.order_by("number")
        self.fields["events"].queryset = events
        self.fields["events"].label_from_instance = str
        if not self.is_bound:
            self.initial["events"] = list(events)


# What a phone sends for "don't know": a choice of its own, stored as no score.
DONT_KNOW = "unknown"


def _vote_level(value: str):
    return None if value == DONT_KNOW else int(value)


def _vote_levels(label, levels, *, required: bool, invalid: str):
    """One row of choices: each level by its number and short name, then "don't know"."""
    choices = [(level.value, f"{level.value} {level.name}") for level in levels]
    choices.append((DONT_KNOW, _("Don't know")))
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=_vote_level,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": invalid,
            "required": _("Choose a level, or “Don't know”."),
        },
    )


class VoteForm(forms.Form):
    """A participant's score of one event: the probability and one level per consequence
    dimension of the analysis's scale version. "Don't know" may be answered for any of them
    (stored as no score); an optional dimension may also be left out."""

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        invalid = _("Choose a level from 1 to %(size)d.") % {"size": scale.size}
        self.fields["probability"] = _vote_levels(
            _("How likely is it?"), scale.probability_levels, required=True, invalid=invalid
        )
        for dimension in scale.dimensions:
            self.fields[f"c_{dimension.key}"] = _vote_levels(
                _("How serious for: %(name)s") % {"name": dimension.name},
                dimension.levels.all(),
                required=dimension.required,
                invalid=invalid,
            )

    def consequences(self) -> dict:
        return {d.key: self.cleaned_data.get(f"c_{d.key}") for d in self.scale.dimensions}


class SettleForm(forms.Form):
    """The values a coordinator settles for one event after a round, starting from the
    medians, and the agreement among the participants."""

    def __init__(self, *args, scale, result, **kwargs):
        initial = {"probability": result.items[0].median}
        for item in result.items[1:]:
            initial[f"c_{item.key}"] = item.median
        initial["knowledge_agreement"] = result.agreement
        super().__init__(*args, initial=initial, prefix=f"e{result.event.pk}", **kwargs)
        self.scale = scale
        self.result = result
        invalid = _("Choose a level from 1 to %(size)d on this analysis's scale.") % {
            "size": scale.size
        }
        self.fields["probability"] = ScoreForm._level_field(
            _("Probability"), scale.probability_levels, invalid
        )
        self.fields["probability"].required = True
        for dimension in scale.dimensions:
            field = ScoreForm._level_field(dimension.name, dimension.levels.all(), invalid)
            field.required = dimension.required
            self.fields[f"c_{dimension.key}"] = field
        self.fields["knowledge_agreement"] = forms.ChoiceField(
            label=_("Agreement among participants"),
            choices=UnwantedEvent.Knowledge.choices,
            help_text=_("Suggested from the spread of the votes."),
        )

    def consequences(self) -> dict:
        return {d.pk: self.cleaned_data.get(f"c_{d.key}") for d in self.scale.dimensions}


class SummaryPublishForm(forms.Form):
    """What the coordinator writes for the public summary: a plain-language description per
    event (empty at first, never copied from the analysis) and which organisations to name."""

    organisations = forms.MultipleChoiceField(
        label=_("Organisations that took part"),
        help_text=_("Only organisations are named in public, never persons."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        events,
        organisations,
        initial_descriptions=None,
        published_organisations=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.events = list(events)
        # Those named before stay on offer (and ticked), as they were chosen for the public.
        offered = list(organisations)
        offered += [name for name in published_organisations or () if name not in offered]
        self.fields["organisations"].choices = [(name, name) for name in offered]
        if not self.is_bound:
            chosen = offered if published_organisations is None else published_organisations
            self.initial.setdefault("organisations", list(chosen))
        for event in self.events:
            self.fields[self.key(event)] = forms.CharField(
                label=_("%(number)d. %(title)s: what it means for the neighbours")
                % {"number": event.number, "title": event.title},
                help_text=_("Plain language, for the public. No names, nothing about residents."),
                max_length=1000,
                required=False,
                widget=SHORT,
                initial=(initial_descriptions or {}).get(str(event.lineage), ""),
            )

    @staticmethod
    def key(event) -> str:
        return f"description_{event.pk}"

    def descriptions(self) -> dict:
        return {str(event.lineage): self.cleaned_data[self.key(event)] for event in self.events}
