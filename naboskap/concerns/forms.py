from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from naboskap.concerns import placeholders
from naboskap.concerns.models import Category, Concern, StandardAnswer
from naboskap.concerns.selectors import assignable_users
from naboskap.concerns.services import idempotency_key_valid
from naboskap.concerns.workflow import TRANSITIONS, CancelReason, Status
from naboskap.lib.forms import DateField, bounded_formfield
from naboskap.maps import geo
from naboskap.projects.models import Project
from naboskap.risk.models import Analysis, UnwantedEvent
from naboskap.tenancy.models import Language, Unit


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


# The choice of "I don't know / the area in general" instead of a project.
GENERAL = "general"


def project_label(project: Project) -> str:
    """A project in words a neighbour knows: its name and its address."""
    return f"{project.name}, {project.address}" if project.address else project.name


class ProjectChoiceField(ObjectChoiceField):
    """One of the loaded projects, or "I don't know / the area in general" (cleaned to None).

    Nothing is chosen beforehand: a report about one place must not land on another."""

    default_error_messages = {
        "required": _(
            "Choose the project the concern is about, or “I don't know / the area in general”."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(**kwargs)

    @property
    def objects(self):
        return list(self._objects.values())

    @objects.setter
    def objects(self, objects):
        self._objects = {str(obj.pk): obj for obj in objects}
        self.choices = [(key, project_label(obj)) for key, obj in self._objects.items()] + [
            (GENERAL, _("I don't know / the area in general"))
        ]

    def clean(self, value):
        value = forms.ChoiceField.clean(self, value)
        return None if value == GENERAL else self._objects.get(value)

    def valid_value(self, value):
        return str(value) == GENERAL or str(value) in self._objects


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
    """A message to the reporter: previewed as they will see it, then sent. A standard
    answer can be inserted into it first (and then edited)."""

    body = forms.CharField(
        label=_("Message to the reporter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The reporter reads it on their follow-up page, and gets an email saying there "
            "is a new message (without the text)."
        ),
    )
    standard_answer = ObjectChoiceField(
        label=_("Standard answer"),
        required=False,
        help_text=_("Inserted into the message with the case's details filled in; edit it after."),
    )

    def __init__(self, *args, answers=(), inserting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.inserting = inserting
        field = self.fields["standard_answer"]
        field.objects = answers
        field.choices = [("", "—"), *field.choices]
        if not answers:
            del self.fields["standard_answer"]

    def clean(self):
        cleaned = super().clean()
        if self.inserting:
            if "standard_answer" not in self.fields:
                self.add_error(None, _("There are no standard answers in use to insert."))
            elif not cleaned.get("standard_answer") and "standard_answer" not in self.errors:
                self.add_error("standard_answer", _("Choose the standard answer to insert."))
        elif not cleaned.get("body", "").strip() and "body" not in self.errors:
            self.add_error("body", _("Write the message to the reporter."))
        return cleaned


def unit_choice(units, *, label, empty) -> ObjectChoiceField:
    """A choice of units the page has already loaded."""
    field = ObjectChoiceField(label=label, required=False, objects=units)
    field.choices = [("", empty), *field.choices]
    return field


class NoteForm(forms.Form):
    """An internal note: a separate form from the message to the reporter, never shown to
    them."""

    prefix = "note"
    body = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff who handle the concern see it. The reporter never does."),
    )


class AssignForm(forms.Form):
    """A unit and a case handler for one concern, or (`prefix="bulk"` in the inbox) for
    several. Only users who could handle the concern(s) are offered; the service checks the
    chosen one against the chosen unit again."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    handler = ObjectChoiceField(
        label=_("Case handler"),
        required=False,
        help_text=_("Only staff who handle concerns of its unit or its project are offered."),
    )

    def __init__(self, *args, municipality, concerns=(), current_unit=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        empty = _("Keep each concern's unit") if self.prefix == "bulk" else "---------"
        if units is not None:  # already loaded by the page (the inbox): no query of its own
            self.fields["unit"] = unit_choice(units, label=_("Unit"), empty=empty)
        else:
            self.fields["unit"].empty_label = empty
            self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality).offered(
                current=current_unit
            )
        users = assignable_users(municipality, concerns) if concerns else []
        field = self.fields["handler"]
        field.objects = users
        field.choices = [("", "—"), *((str(user.pk), user.assign_label) for user in users)]


class InboxFilterForm(forms.Form):
    SHOW = [
        ("", _("Open cases")),
        ("closed", _("Answered and closed cases")),
        ("all", _("All cases")),
    ]
    VIEWS = [
        ("", _("All")),
        ("mine", _("Mine")),
        ("new", _("New from the reporter")),
        ("overdue", _("Overdue")),
        ("week", _("Due this week")),
    ]
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
    show = forms.ChoiceField(
        label=_("Open or closed"),
        required=False,
        choices=SHOW,
        help_text=_("Ignored when you choose a status."),
    )
    view = forms.ChoiceField(label=_("View"), required=False, choices=VIEWS)
    police = forms.BooleanField(label=_("Relevant for the police"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, *args, municipality_ids, project_ids, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            municipality_id__in=municipality_ids
        )
        self.fields["project"].queryset = Project.objects.filter(pk__in=project_ids)
        self.fields["unit"].queryset = Unit.objects.filter(municipality_id__in=municipality_ids)
        if units is not None:  # already loaded by the page: no query of its own
            self.fields["unit"] = unit_choice(units, label=_("Unit"), empty="---------")


class ConcernMeasureForm(forms.Form):
    """A measure the concern leads to: the rest is filled in on the plan."""

    prefix = "measure"  # the case page has several forms
    title = forms.CharField(label=_("What will be done"), max_length=200)
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    due_date = DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(municipality=municipality).in_use()


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
        self.fields["default_unit"].queryset = Unit.objects.filter(
            municipality=municipality
        ).offered(current=self.instance.default_unit_id)
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


class StandardAnswerForm(forms.ModelForm):
    """A standard answer of a municipality. Its placeholders must be known ones."""

    class Meta:
        model = StandardAnswer
        fields = ["title", "body", "position", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _("Placeholders in braces are filled in when it is inserted: see below."),
            "position": _("Lower numbers come first in the list."),
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        if self.instance.pk is None:
            del self.fields["active"]  # a new answer is in use; it is retired from the list
        position = self.fields["position"]
        position.max_value = 32767
        position.validators.append(MaxValueValidator(32767))
        position.widget.attrs["max"] = 32767

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        # Compared here, not by the database: SQLite ignores the case of ASCII letters only.
        others = StandardAnswer.objects.filter(municipality=self.instance.municipality)
        taken = others.exclude(pk=self.instance.pk).values_list("title", flat=True)
        if title.casefold() in {other.casefold() for other in taken}:
            raise forms.ValidationError(_("Another standard answer has this title."))
        return title

    def clean_body(self):
        body = self.cleaned_data["body"]
        placeholders.check(body)
        return body


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
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality).in_use()


class PolicyForm(forms.Form):
    prefix = "policy"
    erase_contact_after_days = forms.IntegerField(
        label=_("Delete contact details and photos this many days after closure"),
        min_value=1,
        max_value=3650,
        help_text=_(
            "The email address a neighbour leaves with a suggestion is deleted the same number "
            "of days after the suggestion's decision."
        ),
    )
    delete_after_years = forms.IntegerField(
        label=_("Delete whole concerns this many years after closure"),
        min_value=1,
        max_value=30,
        help_text=_("The deletion log keeps the reference and the date only."),
    )
    default_unit = forms.ModelChoiceField(
        label=_("Unit for concerns about the area in general"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "Gets concerns about the area in general (not one project), unless a routing "
            "rule or the category names another unit."
        ),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("default_unit")
        self.fields["default_unit"].queryset = Unit.objects.filter(
            municipality=municipality
        ).offered(current=current)

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


# Intake by staff: a concern received by phone, letter, at the front desk … ---------------

STAFF_CHANNELS = [
    choice for choice in Concern.IntakeChannel.choices if choice[0] not in {"web", "open311"}
]
AUTOMATIC = ""

# What an intake form (the public one, staff's) passes on to `services.concern_submit` as is.
SUBMITTED_FIELDS = (
    "project",
    "category",
    "idempotency_key",
    "description",
    "location",
    "latitude",
    "longitude",
    "occurred_at",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "preferred_channel",
)


def submission(cleaned_data: dict) -> dict:
    """An intake form's cleaned data as `services.concern_submit` takes it."""
    data = {name: cleaned_data.get(name) for name in SUBMITTED_FIELDS}
    data["reporter_phone"] = data["reporter_phone"] or ""
    data["preferred_channel"] = data["preferred_channel"] or ""
    return data


def check_position(form: forms.Form, cleaned: dict) -> None:
    """A place marked on the form's map: both coordinates, in Norway; else an error above
    the form, and the mark is dropped so that it can be made again."""
    if "latitude" in form.errors or "longitude" in form.errors:
        form.errors.pop("latitude", None)
        form.errors.pop("longitude", None)
        error = geo.PositionError(
            _("The place marked on the map could not be read. Mark it again.")
        )
    else:
        try:
            geo.position_checked(cleaned.get("latitude"), cleaned.get("longitude"))
            return
        except geo.PositionError as refused:
            error = refused
    cleaned["latitude"] = cleaned["longitude"] = None
    data = form.data.copy()
    data["latitude"] = data["longitude"] = ""
    form.data = data
    form.add_error(None, error)


class IntakeForm(forms.ModelForm):
    """A concern registered by staff on behalf of someone: one page, fast to type (the
    channel first, with focus; a phone call is the default). The same categories, routing,
    deadlines and reference as the public form (`services.concern_submit`)."""

    intake_channel = forms.ChoiceField(
        label=_("Received by"),
        choices=STAFF_CHANNELS,
        initial=Concern.IntakeChannel.PHONE,
        widget=forms.Select(attrs={"autofocus": True}),
    )
    project = ProjectChoiceField(label=_("Which place is it about?"), widget=forms.Select)
    category = ObjectChoiceField(label=_("Category"))
    preferred_channel = forms.ChoiceField(
        label=_("How we may contact the person"),
        required=False,
        choices=[(AUTOMATIC, _("By email if given, else by phone"))]
        + [c for c in Concern.Channel.choices],
    )
    language = forms.ChoiceField(label=_("The person's language"), choices=[])
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    field_order = ["intake_channel", "project", "category"]

    class Meta:
        model = Concern
        formfield_callback = bounded_formfield
        fields = [
            "description",
            "location",
            "occurred_at",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "reporter_address",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "reporter_address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "description": _(
                "What happened, in the person's words. No names or health information about others."
            ),
        }

    def __init__(self, *args, projects, categories, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].objects = projects
        self.fields["project"].choices = [("", "—"), *self.fields["project"].choices]
        self.fields["category"].objects = categories
        self.fields["category"].choices = [("", "—"), *self.fields["category"].choices]
        self.fields["language"].choices = Language.choices
        if self.is_bound:  # the error summary takes the focus
            self.fields["intake_channel"].widget.attrs.pop("autofocus", None)
        self.fields["language"].initial = municipality.default_language
        self.fields["reporter_name"].label = _("The person's name (optional)")
        self.fields["reporter_email"].label = _("Email, for a receipt and answers (optional)")
        self.fields["reporter_phone"].label = _("Phone (optional)")
        self.fields["reporter_address"].label = _("Postal address, for a receipt by letter")
        self.fields["reporter_address"].help_text = _(
            "Only when the person has no email address but wants a receipt."
        )

    def clean_idempotency_key(self):
        key = self.cleaned_data["idempotency_key"]
        if not idempotency_key_valid(key):
            raise forms.ValidationError(_("Reload the page and register the concern again."))
        return key

    def clean(self):
        """A way chosen needs its detail; with none chosen, `services.contact_channel`
        decides from the details given."""
        cleaned = super().clean()
        channel = cleaned.get("preferred_channel") or AUTOMATIC
        email, phone = cleaned.get("reporter_email"), cleaned.get("reporter_phone")
        if channel == Concern.Channel.EMAIL and not email:
            self.add_error("reporter_email", _("Give an email address, or choose another way."))
        if channel == Concern.Channel.PHONE and not phone:
            self.add_error("reporter_phone", _("Give a phone number, or choose another way."))
        return cleaned
