from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import TRANSITIONS, CancelReason, Status
from naboskap.projects.models import Project
from naboskap.tenancy.models import Unit


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the view has already loaded: cleaning finds the chosen one in
    that list, without a database query (the public form is the busiest page there is)."""

    def __init__(self, *, objects=(), **kwargs):
        super().__init__(**kwargs)
        self.objects = objects

    @property
    def objects(self):
        return list(self._objects.values())

    @objects.setter
    def objects(self, objects):
        self._objects = {str(obj.pk): obj for obj in objects}
        self.choices = [(key, str(obj)) for key, obj in self._objects.items()]

    def clean(self, value):
        value = super().clean(value)
        return self._objects.get(value) if value else None

    def valid_value(self, value):
        return str(value) in self._objects


class ConcernForm(forms.ModelForm):
    """The public report form. Contact details are optional.

    The projects and categories to choose from come from the caller (see
    `portal.concern_views.intake_choices`), already loaded.
    """

    project = ObjectChoiceField(label=_("Project"))
    category = ObjectChoiceField(label=_("Category"), widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see: bots fill it in, and their reports are dropped.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["project", "category"]

    class Meta:
        model = Concern
        fields = [
            "description",
            "location",
            "occurred_at",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "preferred_channel",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "preferred_channel": forms.RadioSelect,
        }
        help_texts = {
            "description": _(
                "Describe what happened, not who the residents are. Do not write names or "
                "health information about others."
            ),
            "location": _("For example the street, the playground or the bus stop."),
        }

    def __init__(self, *args, projects, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].objects = projects
        self.fields["category"].objects = categories
        self.fields["reporter_name"].label = _("Your name (optional)")
        self.fields["reporter_email"].label = _("Your email (optional)")
        self.fields["reporter_phone"].label = _("Your phone (optional)")

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("preferred_channel")
        if channel == Concern.Channel.EMAIL and not cleaned.get("reporter_email"):
            if cleaned.get("reporter_phone"):
                cleaned["preferred_channel"] = Concern.Channel.PHONE
            else:
                cleaned["preferred_channel"] = Concern.Channel.NONE
        if channel == Concern.Channel.PHONE and not cleaned.get("reporter_phone"):
            self.add_error("reporter_phone", _("Give a phone number, or choose email."))
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your report?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is very dissatisfied, 5 is very satisfied."),
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should we look at it again?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    answer = forms.CharField(
        label=_("Answer to the reporter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when you answer. The reporter sees it."),
    )
    cancel_reason = forms.ChoiceField(
        label=_("Reason for cancelling"),
        required=False,
        choices=[("", "—"), *CancelReason.choices],
    )
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Never shown to the reporter."),
    )

    def __init__(self, *args, concern: Concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (s, Status(s).label) for s in Status.values if s in TRANSITIONS[concern.status]
        ]

    def clean(self):
        cleaned = super().clean()
        to_status = cleaned.get("to_status")
        if to_status == Status.ANSWERED and not cleaned.get("answer", "").strip():
            self.add_error("answer", _("Write the answer to the reporter."))
        if to_status == Status.CANCELLED and not cleaned.get("cancel_reason"):
            self.add_error("cancel_reason", _("Choose why the concern is cancelled."))
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    internal = forms.BooleanField(
        label=_("Internal note (not shown to the reporter)"), required=False
    )


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    handler = forms.ModelChoiceField(
        label=_("Case handler"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality)
        self.fields["handler"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality=municipality, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )


class InboxFilterForm(forms.Form):
    SORTS = [
        ("-created_at", _("Newest first")),
        ("created_at", _("Oldest first")),
        ("answer_due", _("Answer deadline")),
        ("status", _("Status")),
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none()
    )
    project = forms.ModelChoiceField(
        label=_("Project"), required=False, queryset=Project.objects.none()
    )
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=Unit.objects.none())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    police = forms.BooleanField(label=_("Relevant for the police"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, *args, municipality_ids, project_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            municipality_id__in=municipality_ids
        )
        self.fields["project"].queryset = Project.objects.filter(pk__in=project_ids)
        self.fields["unit"].queryset = Unit.objects.filter(municipality_id__in=municipality_ids)


class ConcernMeasureForm(forms.Form):
    """A measure the concern leads to: the rest is filled in on the plan."""

    prefix = "measure"  # the case page has several forms
    title = forms.CharField(label=_("What will be done"), max_length=200)
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(municipality=municipality)


MAX_DAYS = 120


class CategoryForm(forms.ModelForm):
    """A category of a municipality. Its code is fixed once made (Open311 clients use it)."""

    class Meta:
        model = Category
        fields = [
            "name",
            "name_nn",
            "name_en",
            "code",
            "description",
            "acknowledge_days",
            "answer_days",
            "default_unit",
            "position",
            "active",
        ]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        self.fields["default_unit"].queryset = Unit.objects.filter(municipality=municipality)
        if self.instance.pk:
            del self.fields["code"]  # shown as text: Open311 clients know it
        self.fields["acknowledge_days"].widget.attrs["max"] = MAX_DAYS
        self.fields["answer_days"].widget.attrs["max"] = MAX_DAYS

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Category.objects.filter(municipality=self.instance.municipality, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another category has this code."))
        return code

    def clean(self):
        cleaned = super().clean()
        acknowledge, answer = cleaned.get("acknowledge_days"), cleaned.get("answer_days")
        for name in ("acknowledge_days", "answer_days"):
            if (cleaned.get(name) or 0) > MAX_DAYS:
                self.add_error(name, _("At most %(days)d working days.") % {"days": MAX_DAYS})
        if acknowledge is not None and answer is not None and answer < acknowledge:
            self.add_error("answer_days", _("The answer cannot be due before the acknowledgement."))
        return cleaned


class RoutingRuleForm(forms.Form):
    prefix = "rule"
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Every project"),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(municipality=municipality)
        self.fields["project"].queryset = Project.objects.filter(municipality=municipality)
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality)


class PolicyForm(forms.Form):
    prefix = "policy"
    erase_contact_after_days = forms.IntegerField(
        label=_("Delete contact details and photos this many days after closure"),
        min_value=1,
        max_value=3650,
    )
    delete_after_years = forms.IntegerField(
        label=_("Delete whole concerns this many years after closure"),
        min_value=1,
        max_value=30,
        help_text=_("The deletion log keeps the reference and the date only."),
    )

    def clean(self):
        cleaned = super().clean()
        days, years = cleaned.get("erase_contact_after_days"), cleaned.get("delete_after_years")
        if days and years and days > years * 365:
            self.add_error(
                "erase_contact_after_days",
                _("Contact details must be deleted before the whole concern is."),
            )
        return cleaned


class UnwantedEventForm(forms.Form):
    """Which unwanted event of the project's ROS analyses the concern is an occurrence of."""

    prefix = "event"
    unwanted_event = forms.ModelChoiceField(
        label=_("Unwanted event"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("Concerns linked to an event count towards how often it happens."),
    )

    def __init__(self, *args, project, **kwargs):
        from naboskap.risk.models import Analysis, UnwantedEvent

        super().__init__(*args, **kwargs)
        field = self.fields["unwanted_event"]
        field.queryset = (
            UnwantedEvent.objects.filter(analysis__project=project)
            .exclude(analysis__status=Analysis.Status.SUPERSEDED)
            .select_related("analysis")
            .order_by("analysis__title", "number")
        )
        field.label_from_instance = lambda event: (
            f"{event.number}. {event.title} ({event.analysis})"
        )
