"""Risk and vulnerability analyses (ROS) for staff, by token: the analyses of the projects the
token's user reaches, and an analysis with its unwanted events, their scores and risk before
and after measures, and the measures made for them.

Each request asks the same access helper and readers as the staff pages
(`risk.access.get_analysis_for_user`, `risk.selectors`): an analysis the user may not see is
404.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from naboskap.api.models import Area
from naboskap.api.rest.concerns import STAFF_PROBLEMS, Named, PersonField
from naboskap.api.rest.conventions import PROBLEM_TYPE, Cursor, Problem
from naboskap.api.rest.plans import LIST_PROBLEMS, MAX_ID, ProjectRef, page_of
from naboskap.api.rest.tokens import StaffView
from naboskap.projects.selectors import projects_for_user
from naboskap.risk import selectors
from naboskap.risk.access import get_analysis_for_user
from naboskap.risk.models import Analysis

READ_PROBLEMS = {
    **STAFF_PROBLEMS,
    (404, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="No such analysis, or not one the token's user may see."
    ),
}


class AnalysisItem(serializers.ModelSerializer):
    project = ProjectRef()
    status_label = serializers.CharField(source="get_status_display")
    scale = serializers.CharField(source="scale_version.scale.name", help_text="The risk scale.")
    approved_by = PersonField(allow_null=True)
    event_count = serializers.IntegerField(help_text="Unwanted events.")
    page = serializers.SerializerMethodField(help_text="The analysis's staff page.")

    class Meta:
        model = Analysis
        fields = [
            "id",
            "project",
            "title",
            "revision",
            "status",
            "status_label",
            "scale",
            "approved_at",
            "approved_by",
            "next_revision_on",
            "created_at",
            "event_count",
            "page",
        ]

    def get_page(self, analysis) -> str:
        return page_of(self, analysis)


class LevelOut(serializers.Serializer):
    probability = serializers.IntegerField()
    consequence = serializers.IntegerField()
    colour = serializers.CharField(help_text="`green`, `yellow` or `red` (or empty).")
    word = serializers.CharField(help_text="The colour in words.")


class ScoreOut(serializers.Serializer):
    dimension = serializers.CharField(help_text="The consequence dimension's key.")
    stage = serializers.CharField(help_text="`before` or `after` measures.")
    level = serializers.IntegerField(help_text="The consequence level.")
    justification = serializers.CharField()
    cell = LevelOut(allow_null=True, help_text="Where it lands in the matrix.")


class EventMeasureOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    progress = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True)
    owner_unit = Named()


class EventOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    scenario = serializers.CharField()
    causes = serializers.CharField(help_text="One per line.")
    existing_barriers = serializers.CharField(help_text="One per line.")
    vulnerability = serializers.CharField()
    knock_on_effects = serializers.CharField(help_text="One per line.")
    probability = serializers.IntegerField(allow_null=True, help_text="Before measures.")
    residual_probability = serializers.IntegerField(allow_null=True, help_text="After measures.")
    knowledge = serializers.CharField(help_text="Strength of knowledge: strong, medium, weak.")
    acceptance = serializers.CharField(help_text="`accepted`, `not_accepted` or empty.")
    acceptance_reason = serializers.CharField()
    before = LevelOut(allow_null=True, help_text="The overall risk before measures (worst cell).")
    after = LevelOut(allow_null=True, help_text="The overall risk after measures.")
    scores = ScoreOut(many=True)
    measures = EventMeasureOut(
        many=True, help_text="Measures for the event, also those of earlier revisions."
    )
    page = serializers.CharField(help_text="The event's staff page.")


class AnalysisOut(AnalysisItem):
    events = serializers.SerializerMethodField(help_text="The unwanted events, by number.")

    class Meta(AnalysisItem.Meta):
        fields = [*AnalysisItem.Meta.fields, "purpose", "method", "area_description", "events"]

    @extend_schema_field(EventOut(many=True))
    def get_events(self, analysis):
        request = self.context["request"]
        return [
            {**_event(risk), "page": request.build_absolute_uri(risk.event.get_absolute_url())}
            for risk in self.context["risks"]
        ]


def _cell(cell) -> dict | None:
    if cell is None:
        return None
    return {
        "probability": cell.probability,
        "consequence": cell.consequence,
        "colour": cell.colour,
        "word": str(cell.word),
    }


def _event(risk) -> dict:
    event = risk.event
    scores = [
        {
            "dimension": key,
            "stage": stage,
            "level": score.level,
            "justification": score.justification,
            "cell": _cell(risk.cells[stage].get(key)),
        }
        for stage, by_key in risk.scores.items()
        for key, score in by_key.items()
    ]
    return {
        "id": event.pk,
        "number": event.number,
        "title": event.title,
        "scenario": event.scenario,
        "causes": event.causes,
        "existing_barriers": event.existing_barriers,
        "vulnerability": event.vulnerability,
        "knock_on_effects": event.knock_on_effects,
        "probability": event.probability,
        "residual_probability": event.residual_probability,
        "knowledge": event.knowledge,
        "acceptance": event.acceptance,
        "acceptance_reason": event.acceptance_reason,
        "before": _cell(risk.before),
        "after": _cell(risk.after),
        "scores": scores,
        "measures": [
            {
                "id": measure.pk,
                "title": measure.title,
                "status": measure.status,
                "status_label": measure.get_status_display(),
                "progress": measure.progress,
                "due_date": measure.due_date,
                "owner_unit": {"id": measure.owner_unit_id, "name": measure.owner_unit.name},
            }
            for measure in risk.measures
        ],
    }


def analysis_risks(analysis: Analysis) -> list:
    """The events with their risk per dimension and their measures, as the analysis page
    reads them (a fixed number of queries)."""
    scale = selectors.load_scale(analysis.scale_version)
    events = list(selectors.analysis_events(analysis))
    risks = [selectors.event_risk(event, scale) for event in events]
    measures = selectors.event_measures(events, analysis.revision)
    for risk in risks:
        risk.measures = measures[risk.event.lineage]
        risk.event.analysis = analysis  # for its address, without a query
    return risks


class AnalysisFilters(serializers.Serializer):
    project = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A project's id."
    )
    status = serializers.ChoiceField(choices=Analysis.Status.choices, required=False)


class AnalysisList(ListModelMixin, StaffView):
    area = Area.ANALYSES
    serializer_class = AnalysisItem
    pagination_class = Cursor  # newest first

    @extend_schema(
        operation_id="analyses_list",
        parameters=[AnalysisFilters],
        responses={200: AnalysisItem(many=True), **LIST_PROBLEMS},
        tags=["analyses"],
    )
    def get(self, request):
        """The ROS analyses (every revision) of every project the token's user reaches,
        newest first."""
        filters = AnalysisFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        reachable = projects_for_user(request.user).values("pk")
        analyses = (
            Analysis.objects.filter(project__in=reachable)
            .select_related("project", "scale_version__scale", "approved_by")
            .annotate(event_count=Count("events"))
        )
        if "project" in data:
            analyses = analyses.filter(project_id=data["project"])
        if "status" in data:
            analyses = analyses.filter(status=data["status"])
        page = self.paginate_queryset(analyses)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AnalysisDetail(StaffView):
    area = Area.ANALYSES
    serializer_class = AnalysisOut

    @extend_schema(
        operation_id="analyses_retrieve",
        responses={200: AnalysisOut, **READ_PROBLEMS},
        tags=["analyses"],
    )
    def get(self, request, pk: int):
        """An analysis with its unwanted events: their scores per consequence dimension,
        their risk before and after measures (the matrix cell, its colour in words), and the
        measures made for them, as the analysis page shows them."""
        project_id = Analysis.objects.filter(pk=pk).values_list("project_id", flat=True).first()
        if project_id is None:
            raise Http404
        analysis = get_analysis_for_user(request.user, project_id, pk)
        risks = analysis_risks(analysis)
        analysis.event_count = len(risks)
        context = {**self.get_serializer_context(), "risks": risks}
        serializer = self.get_serializer(analysis, context=context)
        return Response(serializer.data)
