from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.insights.models import SurveyTemplate

DONT_KNOW = "dk"


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    template = forms.ModelChoiceField(label=_("Survey template"), queryset=None, empty_label=None)
    opens_on = forms.DateField(label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(
            municipality=municipality
        ).order_by("name")

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The round cannot close before it opens."))
        return data


class AnswerForm(forms.Form):
    """One field per question: a Likert question needs an answer ("don't know" counts)."""

    def __init__(self, *args, questions, with_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        if with_code:
            self.fields["code"] = forms.CharField(
                label=_("Code from your letter"),
                max_length=20,
                help_text=_("Each code gives one answer."),
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "autocapitalize": "characters"}
                ),
            )
        likert = [(str(v), str(v)) for v in range(1, 6)] + [(DONT_KNOW, _("Don't know"))]
        for question in questions:
            name = f"q{question.pk}"
            if question.is_likert:
                self.fields[name] = forms.ChoiceField(
                    label=question.localized,
                    choices=likert,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose an answer, or “Don't know”.")},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.localized, required=False, max_length=2000, widget=forms.Textarea
                )

    def answers(self) -> dict[int, tuple]:
        result = {}
        for question in self.questions:
            raw = self.cleaned_data.get(f"q{question.pk}") or ""
            if question.is_likert:
                result[question.pk] = (None if raw == DONT_KNOW else int(raw), "")
            else:
                result[question.pk] = (None, raw)
        return result


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=2000,
        help_text=_("One code per letter. The codes are shown only once, in the PDF."),
    )
