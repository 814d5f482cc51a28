"""The neighbour safety survey for staff, by token: the survey rounds of the projects the
token's user reaches, and a round's results.

Only aggregates, as on the results page (`insights.selectors.round_results`): response
counts, and per agree-or-disagree question its number of answers, mean and distribution, all
hidden under the smallest group a figure may describe. Open answers are neighbours' own words:
their texts only for those who run the project's survey (`insights.view_open_answers`) and
only from that many responses; everyone else gets how many there are. Responses are anonymous
and never listed one by one.
"""

from __future__ import annotations

import rules
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from naboskap.api.models import Area
from naboskap.api.rest.concerns import STAFF_PROBLEMS
from naboskap.api.rest.conventions import PROBLEM_TYPE, Cursor, Problem
from naboskap.api.rest.plans import LIST_PROBLEMS, MAX_ID, ProjectRef
from naboskap.api.rest.tokens import StaffView
from naboskap.insights import selectors
from naboskap.insights.models import SurveyRound
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.projects.access import get_project_for_user
from naboskap.projects.selectors import projects_for_user

VIEW = "insights.view_survey"
READ_OPEN = "insights.view_open_answers"
READ_PROBLEMS = {
    **STAFF_PROBLEMS,
    (404, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="No such survey round, or not one the token's user may see."
    ),
}


class TemplateRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class RoundItem(serializers.ModelSerializer):
    project = ProjectRef()
    template = TemplateRef(help_text="The questions asked (a template's version).")
    is_open = serializers.BooleanField()
    responses = serializers.IntegerField(source="response_count", help_text="How many answered.")
    enough = serializers.SerializerMethodField(
        help_text=f"Whether the round has the {MIN_GROUP_SIZE} responses figures are shown from."
    )
    page = serializers.SerializerMethodField(help_text="The round's results page.")

    class Meta:
        model = SurveyRound
        fields = [
            "id",
            "project",
            "title",
            "template",
            "opens_on",
            "closes_on",
            "is_open",
            "responses",
            "enough",
            "page",
        ]

    def get_enough(self, survey_round) -> bool:
        return survey_round.response_count >= MIN_GROUP_SIZE

    def get_page(self, survey_round) -> str:
        return self.context["request"].build_absolute_uri(survey_round.results_url)


class ShareOut(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, help_text="1–5, or null for don't know.")
    count = serializers.IntegerField()
    share = serializers.IntegerField(help_text="Per cent of the question's answers.")


class QuestionResultOut(serializers.Serializer):
    position = serializers.IntegerField()
    key = serializers.CharField(help_text="The same question across rounds and versions.")
    kind = serializers.CharField(help_text="`likert` (agree or disagree, 1–5) or `open`.")
    text = serializers.CharField(help_text="In the language asked for, where it has one.")
    shown = serializers.BooleanField(
        help_text="Whether the figures (likert) or the texts (open) are given."
    )
    answers = serializers.IntegerField(
        allow_null=True, help_text="Likert: how many answered; null when not shown."
    )
    mean = serializers.FloatField(allow_null=True, help_text="Likert: of 1–5, without don't know.")
    distribution = ShareOut(many=True, allow_null=True, help_text="Likert, when shown.")
    open_count = serializers.IntegerField(allow_null=True, help_text="Open: how many answered.")
    open_answers = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Open: the texts, only for those who run the survey and from "
        f"{MIN_GROUP_SIZE} responses; else null.",
    )


class RoundOut(RoundItem):
    results = serializers.SerializerMethodField(help_text="Per question, in order.")

    class Meta(RoundItem.Meta):
        fields = [*RoundItem.Meta.fields, "results"]

    @extend_schema_field(QuestionResultOut(many=True))
    def get_results(self, survey_round):
        return [_row(row) for row in self.context["results"]["rows"]]


def _row(row: dict) -> dict:
    question = row["question"]
    out = {
        "position": question.position,
        "key": question.key,
        "kind": question.kind,
        "text": question.localized,
        "answers": None,
        "mean": None,
        "distribution": None,
        "open_count": None,
        "open_answers": None,
    }
    if question.is_likert:
        out["shown"] = row["shown"]
        if row["shown"]:
            out["answers"] = row["total"]
            out["mean"] = round(row["mean"], 2) if row["mean"] is not None else None
            out["distribution"] = [
                {"value": value, "count": count, "share": share}
                for value, count, share in row["distribution"]
            ]
    else:
        out["shown"] = row["open_shown"]
        out["open_count"] = row["open_count"]
        if row["open_shown"]:
            out["open_answers"] = row["open"]
    return out


class RoundFilters(serializers.Serializer):
    project = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A project's id."
    )


class NewestFirst(Cursor):
    ordering = ("-opens_on", "-pk")


def _with_page(survey_round: SurveyRound) -> SurveyRound:
    survey_round.results_url = reverse(
        "insights:round_results", args=[survey_round.project_id, survey_round.pk]
    )
    return survey_round


class RoundList(ListModelMixin, StaffView):
    area = Area.SURVEYS
    serializer_class = RoundItem
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="surveys_list",
        parameters=[RoundFilters],
        responses={200: RoundItem(many=True), **LIST_PROBLEMS},
        tags=["surveys"],
    )
    def get(self, request):
        """The survey rounds of every project the token's user reaches, newest first, with
        their numbers of responses."""
        filters = RoundFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reachable = projects_for_user(request.user).values("pk")
        rounds = (
            SurveyRound.objects.filter(project__in=reachable)
            .select_related("project", "template")
            .annotate(response_count=Count("responses"))
        )
        if "project" in filters.validated_data:
            rounds = rounds.filter(project_id=filters.validated_data["project"])
        page = [_with_page(survey_round) for survey_round in self.paginate_queryset(rounds)]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RoundDetail(StaffView):
    area = Area.SURVEYS
    serializer_class = RoundOut

    @extend_schema(
        operation_id="surveys_retrieve",
        responses={200: RoundOut, **READ_PROBLEMS},
        tags=["surveys"],
    )
    def get(self, request, pk: int):
        """A round's results, as its results page shows them to the token's user."""
        user = request.user
        project_id = SurveyRound.objects.filter(pk=pk).values_list("project_id", flat=True).first()
        if project_id is None:
            raise Http404
        project = get_project_for_user(user, project_id, VIEW)
        survey_round = (
            SurveyRound.objects.select_related("template").filter(pk=pk, project=project).first()
        )
        if survey_round is None:
            raise Http404
        survey_round.project = project
        results = selectors.round_results(
            survey_round, open_answers=rules.has_perm(READ_OPEN, user, project)
        )
        survey_round.response_count = results["responses"]
        context = {**self.get_serializer_context(), "results": results}
        return Response(self.get_serializer(_with_page(survey_round), context=context).data)
