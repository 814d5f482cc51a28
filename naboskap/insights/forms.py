from __future__ import annotations

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from naboskap.insights import metrics
from naboskap.insights.models import Question, SurveyTemplate
from naboskap.lib.forms import DateField

DONT_KNOW = "dk"


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    template = forms.ModelChoiceField(label=_("Survey template"), queryset=None, empty_label=None)
    opens_on = DateField(label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = DateField(label=_("Closes"), widget=forms.DateInput(attrs={"type": "date"}))

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


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of question"),
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        initial=Question.Kind.LIKERT,
    )
    text = forms.CharField(
        label=_("Question in Bokmål"),
        max_length=300,
        error_messages={"required": _("Write the question in Bokmål.")},
        help_text=_("A Likert question is a statement answered from 1 (strongly disagree) to 5."),
    )
    text_nn = forms.CharField(
        label=_("Question in Nynorsk"),
        max_length=300,
        required=False,
        help_text=_("Empty: Nynorsk readers see the Bokmål text."),
    )
    text_en = forms.CharField(
        label=_("Question in English"),
        max_length=300,
        required=False,
        help_text=_("Empty: English readers see the Bokmål text."),
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        required=False,
        help_text=_(
            "Questions with the same key are compared across rounds and template versions. "
            "Keep it when you reword a question; give a new one when you ask something else. "
            "Empty: made from the text."
        ),
    )

    def clean_key(self):
        key = self.cleaned_data["key"].strip()
        if key and slugify(key) != key.lower():
            raise forms.ValidationError(
                _("Use lower-case letters, digits and hyphens only, such as “feel-safe”.")
            )
        return key.lower()


# Dashboards --------------------------------------------------------------------------------

MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """The dashboard's period (both days included); empty: the last 12 months."""

    fra = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    til = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        default = metrics.default_period(data.get("til"))
        start, end = data.get("fra") or default.start, data.get("til") or default.end
        if start > end:
            raise forms.ValidationError(_("The start of the period must be before its end."))
        if (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["period"] = metrics.Period(start, end)
        return data
