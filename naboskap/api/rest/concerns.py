"""Concerns for staff, by token: the inbox's list and filters, a concern, its messages, and
what a handler does with it (a status change, a message or note, an assignment).

Each request asks the same access helper, rules, form and service as the staff pages
(`concerns.access.get_concern_for_user`, `concerns.forms`, `concerns.services`): a concern
the token's user may not see is 404, one they may see but not change is 403. Reading a
concern's text is written to its access log, as on the pages.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from naboskap.api.models import Area
from naboskap.api.rest.conventions import (
    IDEMPOTENCY_HEADER,
    PROBLEM_TYPE,
    Cursor,
    Problem,
    form_data,
    form_errors,
    idempotent,
)
from naboskap.api.rest.tokens import StaffView
from naboskap.concerns import selectors, services
from naboskap.concerns.access import CHANGE, get_concern_for_user, log_access
from naboskap.concerns.forms import AssignForm, InboxFilterForm, TransitionForm
from naboskap.concerns.models import Concern, Message
from naboskap.concerns.workflow import OPEN
from naboskap.projects.selectors import projects_for_user
from naboskap.tenancy.rules import memberships_of

SUMMARY_LENGTH = 200

STAFF_PROBLEMS = {
    (401, PROBLEM_TYPE): OpenApiResponse(Problem, description="No token, or not a valid one."),
    (403, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="The token's scopes or its user's role do not allow this."
    ),
    (404, PROBLEM_TYPE): OpenApiResponse(
        Problem,
        description="No such concern, or not one the token's user may see (for a list: a "
        "`cursor` that is not one of its `next` or `previous` links).",
    ),
    (429, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="The token's rate limit was reached: see `Retry-After`."
    ),
}
WRITE_PROBLEMS = {
    **STAFF_PROBLEMS,
    (400, PROBLEM_TYPE): OpenApiResponse(Problem, description="See `errors` per field."),
    (409, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="A request with this Idempotency-Key is still being handled."
    ),
    (422, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="This Idempotency-Key was used for another request."
    ),
}


class Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_field(Named)
class PersonField(serializers.Field):
    """A user as `{id, name}`, or null."""

    def to_representation(self, user):
        return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class ConcernItem(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_label = serializers.CharField(source="category.label")
    summary = serializers.SerializerMethodField(
        help_text=f"The first {SUMMARY_LENGTH} characters of what the reporter wrote."
    )
    assigned_unit = Named(allow_null=True, read_only=True)
    assigned_to = PersonField(allow_null=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField(help_text="The concern's staff page.")

    class Meta:
        model = Concern
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "municipality",
            "project",
            "category",
            "category_label",
            "summary",
            "location",
            "created_at",
            "acknowledge_due",
            "answer_due",
            "assigned_unit",
            "assigned_to",
            "police_relevant",
            "overdue",
            "page",
        ]

    def get_summary(self, concern) -> str:
        return concern.description[:SUMMARY_LENGTH]

    def get_overdue(self, concern) -> bool:
        today = timezone.localdate()
        return concern.status in OPEN and (
            concern.answer_due < today
            or (concern.acknowledged_at is None and concern.acknowledge_due < today)
        )

    def get_page(self, concern) -> str:
        return self.context["request"].build_absolute_uri(concern.get_absolute_url())


class Reporter(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField(help_text="E.164, or empty.")
    postal_address = serializers.CharField()
    preferred_channel = serializers.CharField()


class ConcernOut(ConcernItem):
    description = serializers.CharField()
    reporter = serializers.SerializerMethodField(
        help_text="Only for users who may see the reporter's contact details; else null."
    )
    merged_into = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    unwanted_event = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    photos = serializers.SerializerMethodField(help_text="Staff addresses of the photos.")

    class Meta(ConcernItem.Meta):
        fields = [
            *ConcernItem.Meta.fields,
            "description",
            "occurred_at",
            "latitude",
            "longitude",
            "intake_channel",
            "acknowledged_at",
            "answered_at",
            "closed_at",
            "cancel_reason",
            "merged_into",
            "unwanted_event",
            "reporter",
            "photos",
        ]

    @staticmethod
    def contact_visible(user, concern) -> bool:
        return user.has_perm("concerns.view_contact", concern)

    @extend_schema_field(Reporter(allow_null=True))
    def get_reporter(self, concern):
        if concern.contact_erased_at or not self.contact_visible(
            self.context["request"].user, concern
        ):
            return None
        return Reporter(
            {
                "name": concern.reporter_name,
                "email": concern.reporter_email,
                "phone": concern.reporter_phone.as_e164 if concern.reporter_phone else "",
                "postal_address": concern.reporter_address,
                "preferred_channel": concern.preferred_channel,
            }
        ).data

    def get_photos(self, concern) -> list[str]:
        request = self.context["request"]
        return [
            request.build_absolute_uri(reverse("concerns:photo", args=[concern.pk, photo.pk]))
            for photo in concern.photos.all()
        ]


class MessageOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    author = PersonField(allow_null=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "kind_label", "body", "author", "created_at"]


class MessageIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[Message.Kind.TO_REPORTER, Message.Kind.INTERNAL],
        help_text="`to_reporter` is sent to the reporter; `internal` is a note staff see.",
    )
    body = serializers.CharField(max_length=5000, trim_whitespace=True)


class TransitionIn(serializers.Serializer):
    """What the staff page's status form takes (validated by the same form)."""

    to_status = serializers.CharField()
    answer = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    cancel_reason = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AssignmentIn(serializers.Serializer):
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="A unit's id.")
    handler = serializers.IntegerField(
        required=False, allow_null=True, help_text="A user's id (one who can handle it)."
    )


class ConcernFilters(serializers.Serializer):
    """The inbox's filters (for the schema; `InboxFilterForm` validates them)."""

    q = serializers.CharField(required=False, help_text="Reference or text.")
    status = serializers.CharField(required=False)
    show = serializers.ChoiceField(
        choices=["", "closed", "all"], required=False, help_text="Open (default), closed or all."
    )
    view = serializers.ChoiceField(
        choices=["", *selectors.VIEWS], required=False, help_text="One of the inbox's views."
    )
    category = serializers.IntegerField(required=False)
    project = serializers.IntegerField(required=False)
    unit = serializers.IntegerField(required=False)
    police = serializers.BooleanField(required=False)
    sort = serializers.ChoiceField(
        choices=[value for value, _label in InboxFilterForm.SORTS], required=False
    )


class ConcernCursor(Cursor):
    """The inbox's order (`sort`), then newest first."""

    def get_ordering(self, request, queryset, view):
        return (view.sort or "-created_at", "-pk")


def _related(concerns):
    return concerns.select_related(
        "municipality", "project", "category", "assigned_unit", "assigned_to"
    )


class ConcernList(ListModelMixin, StaffView):
    area = Area.CONCERNS
    serializer_class = ConcernItem
    pagination_class = ConcernCursor
    sort = ""

    @extend_schema(
        operation_id="concerns_list",
        parameters=[ConcernFilters],
        responses={
            200: ConcernItem(many=True),
            (400, PROBLEM_TYPE): OpenApiResponse(Problem, description="A filter is not valid."),
            **STAFF_PROBLEMS,
        },
        tags=["concerns"],
    )
    def get(self, request):
        """The concerns the token's user may see, with the inbox's filters: open ones unless
        `show` or `status` says otherwise. Each listed summary is written to the concern's
        access log."""
        user = request.user
        municipality_ids = {m.municipality_id for m in memberships_of(user)}
        form = InboxFilterForm(
            request.query_params,
            municipality_ids=municipality_ids,
            project_ids=projects_for_user(user).values("pk"),
        )
        if not form.is_valid():
            raise form_errors(form)
        self.sort = form.cleaned_data["sort"]
        concerns = selectors.inbox_filter(
            selectors.concerns_for_user(user), form.cleaned_data, user
        )
        page = self.paginate_queryset(_related(concerns))
        log_access(page, seen="api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ConcernDetail(StaffView):
    area = Area.CONCERNS
    serializer_class = ConcernOut

    @extend_schema(
        operation_id="concerns_retrieve",
        responses={200: ConcernOut, **STAFF_PROBLEMS},
        tags=["concerns"],
    )
    def get(self, request, pk: int):
        """A concern in full. The reporter's contact details only for those who may see
        them. The read is written to the concern's access log."""
        concern = get_concern_for_user(request.user, pk, log_access=True)
        return Response(self.get_serializer(concern).data)


class ConcernMessages(StaffView):
    area = Area.CONCERNS
    serializer_class = MessageOut
    pagination_class = None

    @extend_schema(
        operation_id="concerns_messages_list",
        responses={200: MessageOut(many=True), **STAFF_PROBLEMS},
        tags=["concerns"],
    )
    def get(self, request, pk: int):
        """The concern's messages, to and from the reporter, and internal notes, oldest
        first."""
        concern = get_concern_for_user(request.user, pk, log_access=True)
        messages = concern.messages.select_related("author").order_by("created_at", "pk")
        return Response(self.get_serializer(messages, many=True).data)

    @extend_schema(
        operation_id="concerns_messages_create",
        request=MessageIn,
        parameters=[IDEMPOTENCY_HEADER],
        examples=[
            OpenApiExample(
                "An answer to the reporter",
                value={"kind": "to_reporter", "body": "Takk for meldingen. Vi ser på saken."},
                request_only=True,
            ),
            OpenApiExample(
                "An internal note",
                value={"kind": "internal", "body": "Ringt vaktmester, han sjekker lyset."},
                request_only=True,
            ),
        ],
        responses={201: MessageOut, **WRITE_PROBLEMS},
        tags=["concerns"],
    )
    @idempotent
    def post(self, request, pk: int):
        """Send a message to the reporter (by email when they gave an address, and on their
        follow-up page), or add an internal note."""
        concern = get_concern_for_user(request.user, pk, CHANGE)
        data = MessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        kind, body = data.validated_data["kind"], data.validated_data["body"]
        if kind == Message.Kind.TO_REPORTER:
            message = services.message_send(concern=concern, body=body, author=request.user)
        else:
            message = services.note_add(concern=concern, body=body, author=request.user)
        return Response(MessageOut(message).data, status=status.HTTP_201_CREATED)


class ConcernTransition(StaffView):
    area = Area.CONCERNS
    serializer_class = ConcernOut

    @extend_schema(
        operation_id="concerns_transitions_create",
        request=TransitionIn,
        parameters=[IDEMPOTENCY_HEADER],
        examples=[
            OpenApiExample("Acknowledge", value={"to_status": "acknowledged"}, request_only=True),
            OpenApiExample(
                "Answer the reporter",
                value={
                    "to_status": "answered",
                    "answer": "Vi har snakket med beboerne, og musikken skal være av kl. 22.",
                    "note": "Avtalt med miljøtjenesten.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Cancel a duplicate",
                value={"to_status": "cancelled", "cancel_reason": "duplicate"},
                request_only=True,
            ),
            OpenApiExample(
                "Refused: the workflow does not allow it",
                value={
                    "type": "about:blank",
                    "title": "The request is not valid",
                    "status": 400,
                    "detail": "Some fields are not valid: see errors.",
                    "errors": {"to_status": ["Select a valid choice."]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        responses={200: ConcernOut, **WRITE_PROBLEMS},
        tags=["concerns"],
    )
    @idempotent
    def post(self, request, pk: int):
        """Move the concern along its workflow, as the status form of its page does: an
        answer to the reporter is required to answer, a reason to cancel."""
        concern = get_concern_for_user(request.user, pk, CHANGE)
        form = TransitionForm(form_data(request), concern=concern)
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        try:
            services.concern_transition(
                concern=concern,
                to_status=data["to_status"],
                by=request.user,
                note=data["note"],
                answer=data["answer"],
                cancel_reason=data["cancel_reason"],
            )
        except services.WorkflowError as error:
            raise ValidationError({"to_status": [str(error)]}) from None
        concern.refresh_from_db()
        return Response(self.get_serializer(concern).data)


class ConcernAssignment(StaffView):
    area = Area.CONCERNS
    serializer_class = ConcernOut

    @extend_schema(
        operation_id="concerns_assignment_create",
        request=AssignmentIn,
        parameters=[IDEMPOTENCY_HEADER],
        examples=[
            OpenApiExample(
                "A unit and one of its case handlers",
                value={"unit": 3, "handler": 17},
                request_only=True,
            ),
        ],
        responses={200: ConcernOut, **WRITE_PROBLEMS},
        tags=["concerns"],
    )
    @idempotent
    def post(self, request, pk: int):
        """Give the concern to a unit and, optionally, a case handler who can handle it (as
        the assignment form of its page). A null or missing unit keeps none."""
        concern = get_concern_for_user(request.user, pk, CHANGE)
        form = AssignForm(
            {key: form_data(request).get(key) or "" for key in ("unit", "handler")},
            municipality=concern.municipality,
            concerns=[concern],
            current_unit=concern.assigned_unit,
        )
        if not form.is_valid():
            raise form_errors(form)
        try:
            services.concern_assign(
                concern=concern,
                unit=form.cleaned_data["unit"],
                handler=form.cleaned_data["handler"],
                by=request.user,
            )
        except services.AssignmentError as error:
            raise ValidationError({"handler": [str(error)]}) from None
        concern.refresh_from_db()
        return Response(self.get_serializer(concern).data)
