"""Measures of the action plans for staff, by token: the measures of the projects the token's
user reaches, a measure with its units and history, and the owner unit's progress report.

Each request asks the same access helper, rules, form and service as the staff pages
(`plans.access.get_measure_for_user`, `plans.forms`, `plans.services.measure_update`): a
measure the user may not see is 404, one they may see but not report on is 403.
"""

from __future__ import annotations

import datetime

from django.db.models.functions import Coalesce
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from naboskap.api.models import Area
from naboskap.api.rest.concerns import (
    STAFF_PROBLEMS,
    WRITE_PROBLEMS,
    Named,
    PersonField,
)
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
from naboskap.lib.errors import show_error
from naboskap.plans import selectors, services
from naboskap.plans.access import get_measure_for_user
from naboskap.plans.forms import PlanFilterForm, ProgressForm
from naboskap.plans.models import Measure, MeasureChange, Participation
from naboskap.plans.plan import filtered
from naboskap.projects.selectors import projects_for_user
from naboskap.tenancy.rules import memberships_of

NOT_FOUND = {
    (404, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="No such measure, or not one the token's user may see."
    )
}
READ_PROBLEMS = {**STAFF_PROBLEMS, **NOT_FOUND}
LIST_PROBLEMS = {
    (400, PROBLEM_TYPE): OpenApiResponse(Problem, description="A filter is not valid."),
    **STAFF_PROBLEMS,
}
CHANGE_PROBLEMS = {**WRITE_PROBLEMS, **NOT_FOUND}
MAX_ID = 2**31 - 1
NO_DUE_DATE = datetime.date(9999, 12, 31)  # measures without a due date come last


class ProjectRef(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class SourceOut(serializers.Serializer):
    kind = serializers.CharField(help_text="`concern`, `input`, `unwanted_event`, … .")
    label = serializers.CharField()
    name = serializers.CharField(help_text="Its reference where it has one, else its text.")


def page_of(serializer, obj) -> str:
    return serializer.context["request"].build_absolute_uri(obj.get_absolute_url())


class MeasureItem(serializers.ModelSerializer):
    project = ProjectRef()
    status_label = serializers.CharField(source="get_status_display")
    owner_unit = Named()
    responsible = PersonField(allow_null=True)
    source = serializers.SerializerMethodField(help_text="Where the measure came from, or null.")
    overdue = serializers.BooleanField(source="is_overdue")
    page = serializers.SerializerMethodField(help_text="The measure's staff page.")

    class Meta:
        model = Measure
        fields = [
            "id",
            "project",
            "title",
            "status",
            "status_label",
            "progress",
            "due_date",
            "overdue",
            "phase",
            "owner_unit",
            "responsible",
            "source",
            "is_public",
            "updated_at",
            "page",
        ]

    @extend_schema_field(SourceOut(allow_null=True))
    def get_source(self, measure):
        if not measure.source_field:
            return None
        return {
            "kind": measure.source_field,
            "label": measure.source_label,
            "name": measure.source_name,
        }

    def get_page(self, measure) -> str:
        return page_of(self, measure)


class ParticipationOut(serializers.ModelSerializer):
    unit = Named()
    part_label = serializers.CharField(source="get_part_display")

    class Meta:
        model = Participation
        fields = ["unit", "part", "part_label"]


class MeasureChangeOut(serializers.ModelSerializer):
    changed_by = PersonField(allow_null=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="Per field: [before, after], as the history on the page shows them.",
    )

    class Meta:
        model = MeasureChange
        fields = ["changed_at", "changed_by", "changes", "note"]


class MeasureDetailOut(MeasureItem):
    participations = serializers.SerializerMethodField(help_text="The units taking part (RACI).")
    history = serializers.SerializerMethodField(help_text="Who changed what, newest first.")

    class Meta(MeasureItem.Meta):
        fields = [
            *MeasureItem.Meta.fields,
            "description",
            "kind",
            "cancel_reason",
            "public_text",
            "created_at",
            "participations",
            "history",
        ]

    @extend_schema_field(ParticipationOut(many=True))
    def get_participations(self, measure):
        parts = measure.participations.select_related("unit").order_by("unit__name", "pk")
        return ParticipationOut(parts, many=True).data

    @extend_schema_field(MeasureChangeOut(many=True))
    def get_history(self, measure):
        changes = measure.history.select_related("changed_by").order_by("-changed_at", "-pk")
        return MeasureChangeOut(changes, many=True).data


class ProgressIn(serializers.Serializer):
    """What the measure page's progress form takes (validated by the same form)."""

    status = serializers.ChoiceField(choices=Measure.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    cancel_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Required to cancel."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Shown in the history."
    )


class ProjectFilter(serializers.Serializer):
    project = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A project's id."
    )


class MeasureFilters(ProjectFilter):
    """The plan's filters (for the schema; the plan page's filter form validates them)."""

    status = serializers.ChoiceField(choices=Measure.Status.choices, required=False)
    unit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A unit that owns or takes part."
    )
    overdue = serializers.BooleanField(required=False, help_text="Overdue ones only.")


class DueFirst(Cursor):
    """By due date (those without one last), then by id."""

    ordering = ("due", "pk")


def measures_for(user):
    """The measures of every project the user reaches (`plans.view_measure`), as the plan
    pages list them."""
    reachable = projects_for_user(user).values("pk")
    return selectors.with_related(Measure.objects.filter(project__in=reachable))


class MeasureList(ListModelMixin, StaffView):
    area = Area.MEASURES
    serializer_class = MeasureItem
    pagination_class = DueFirst

    @extend_schema(
        operation_id="measures_list",
        parameters=[MeasureFilters],
        responses={200: MeasureItem(many=True), **LIST_PROBLEMS},
        tags=["measures"],
    )
    def get(self, request):
        """The measures of the action plans of every project the token's user reaches, by
        due date, with the plan page's filters."""
        user = request.user
        filters = ProjectFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        form = PlanFilterForm(
            request.query_params,
            municipality_ids={m.municipality_id for m in memberships_of(user)},
        )
        if not form.is_valid():
            raise form_errors(form)
        measures = filtered(form, measures_for(user))
        if "project" in filters.validated_data:
            measures = measures.filter(project_id=filters.validated_data["project"])
        measures = measures.annotate(due=Coalesce("due_date", NO_DUE_DATE))
        page = self.paginate_queryset(measures)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def measure_for(user, pk: int, perm: str = "plans.view_measure") -> Measure:
    """The measure through the plan's access helper (404 outside the user's reach)."""
    project_id = Measure.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise Http404
    return get_measure_for_user(user, project_id, pk, perm)


class MeasureDetail(StaffView):
    area = Area.MEASURES
    serializer_class = MeasureDetailOut

    @extend_schema(
        operation_id="measures_retrieve",
        responses={200: MeasureDetailOut, **READ_PROBLEMS},
        tags=["measures"],
    )
    def get(self, request, pk: int):
        """A measure in full, with the units taking part and its history, as its page shows
        it."""
        measure = measure_for(request.user, pk)
        return Response(self.get_serializer(measure).data)


class MeasureProgress(StaffView):
    area = Area.MEASURES
    serializer_class = MeasureDetailOut

    @extend_schema(
        operation_id="measures_progress_create",
        request=ProgressIn,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: MeasureDetailOut, **CHANGE_PROBLEMS},
        tags=["measures"],
    )
    @idempotent
    def post(self, request, pk: int):
        """Report status and progress, as the owner unit does on the measure's page: those
        who change the plan and the people of the owner unit may. A measure that is done is
        100 %; cancelling takes a reason."""
        measure = measure_for(request.user, pk, "plans.update_measure")
        form = ProgressForm(form_data(request))
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        try:
            services.measure_update(
                measure=measure,
                changed_by=request.user,
                note=data["note"],
                status=data["status"],
                progress=data["progress"],
                cancel_reason=data["cancel_reason"],
            )
        except services.PlanError as error:
            show_error(request, error, form)
            raise form_errors(form) from None
        return Response(self.get_serializer(measure_for(request.user, pk)).data)
