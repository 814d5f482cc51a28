"""The public part of the API: no key, read only, the same data as the public pages of the
municipality whose address is asked (`request.municipality`) and never more, within the
public read limit. Hidden projects, private meetings and unpublished news do not exist here
(404), as on the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from naboskap.api.rest.conventions import PROBLEM_TYPE, Cursor, Problem, PublicReadLimit
from naboskap.meetings import selectors as meeting_selectors
from naboskap.meetings.models import Meeting
from naboskap.plans import selectors as plan_selectors
from naboskap.plans.inputs import selectors as input_selectors
from naboskap.plans.models import Input, Measure
from naboskap.projects import selectors
from naboskap.projects.models import ContactPoint, PhaseChange, PlannedPhase, Project, Update
from naboskap.risk import selectors as risk_selectors

# The problems a public endpoint may answer with (application/problem+json).
PROBLEMS = {
    (404, PROBLEM_TYPE): OpenApiResponse(Problem, description="No such public project here."),
    (429, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="The public read limit was reached: see `Retry-After`."
    ),
}


class ContactPointOut(serializers.ModelSerializer):
    phone = serializers.CharField(help_text="E.164, or empty.")
    on_duty_phone = serializers.CharField(help_text="Day and night, E.164, or empty.")

    class Meta:
        model = ContactPoint
        fields = ["function", "phone", "on_duty_phone", "email", "opening_hours"]


class PhaseChangeOut(serializers.ModelSerializer):
    class Meta:
        model = PhaseChange
        fields = ["from_phase", "to_phase", "changed_at"]


class PlannedPhaseOut(serializers.ModelSerializer):
    class Meta:
        model = PlannedPhase
        fields = ["phase", "planned_start"]


class ProjectOut(serializers.ModelSerializer):
    phase_label = serializers.CharField(source="get_phase_display")
    kind_label = serializers.CharField(source="get_kind_display")
    latitude = serializers.FloatField(allow_null=True, help_text="WGS 84, the site's position.")
    longitude = serializers.FloatField(allow_null=True, help_text="WGS 84.")
    url = serializers.SerializerMethodField(help_text="The project's public page.")

    class Meta:
        model = Project
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "kind_label",
            "phase",
            "phase_label",
            "address",
            "latitude",
            "longitude",
            "url",
        ]

    def get_url(self, project: Project) -> str:
        # At the address asked (its host, or its /k/<slug>/ prefix): where the page is.
        return self.context["request"].build_absolute_uri(project.get_public_url())


class ProjectDetailOut(ProjectOut):
    phase_changes = PhaseChangeOut(many=True, help_text="The phases it went through, oldest first.")
    planned_phases = PlannedPhaseOut(many=True, help_text="The phases ahead and when they start.")
    contact_points = ContactPointOut(many=True, help_text="Whom to contact, in order.")

    class Meta(ProjectOut.Meta):
        fields = [
            *ProjectOut.Meta.fields,
            "description",
            "phase_changes",
            "planned_phases",
            "contact_points",
        ]


class UpdateOut(serializers.ModelSerializer):
    phase_label = serializers.CharField(source="get_phase_display")

    class Meta:
        model = Update
        fields = ["id", "title", "body", "phase", "phase_label", "published_at"]


class MeetingOut(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "description",
        ]


class MeasureOut(serializers.ModelSerializer):
    text = serializers.CharField(source="public_text", help_text="What the municipality does.")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Measure
        fields = ["id", "text", "status", "status_label", "progress", "due_date"]


class RiskLevelOut(serializers.Serializer):
    probability = serializers.IntegerField()
    consequence = serializers.IntegerField()
    colour = serializers.CharField(help_text="`green`, `yellow` or `red`.")
    word = serializers.CharField(help_text="The level in words (the colour is never the only cue).")


class RiskMeasureOut(serializers.Serializer):
    text = serializers.CharField()
    unit = serializers.CharField(help_text="The municipal unit that owns it.")
    status = serializers.CharField()
    status_label = serializers.CharField()


class RiskEventOut(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="Written for the public; may be empty.")
    before = RiskLevelOut(allow_null=True, help_text="Before measures.")
    after = RiskLevelOut(allow_null=True, help_text="After measures.")
    measures = RiskMeasureOut(many=True)


class RiskSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    first_published_at = serializers.DateTimeField()
    revision = serializers.IntegerField(source="content.revision")
    approved_on = serializers.DateField(source="content.approved_on")
    organisations = serializers.ListField(
        child=serializers.CharField(),
        source="content.organisations",
        help_text="The organisations that took part.",
    )
    events = RiskEventOut(many=True, source="content.events")


class InputMeasureOut(serializers.ModelSerializer):
    text = serializers.CharField(source="public_text")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Measure
        fields = ["text", "status", "status_label", "progress"]


class InputOut(serializers.ModelSerializer):
    text = serializers.CharField(source="public_text", help_text="What was said, as published.")
    decision_label = serializers.CharField(source="get_decision_display")
    measures = InputMeasureOut(
        many=True, source="public_measures.described", help_text="The public measures it led to."
    )
    other_measures = serializers.DictField(
        child=serializers.IntegerField(),
        source="public_measures.others",
        help_text="How many other measures it led to, per status (their text is internal).",
    )

    class Meta:
        model = Input
        fields = [
            "id",
            "theme",
            "text",
            "decision",
            "decision_label",
            "decision_reason",
            "measures",
            "other_measures",
        ]


class NewestFirst(Cursor):
    ordering = ("-published_at", "-pk")


class SoonestFirst(Cursor):
    ordering = ("starts_at", "pk")


class PublicView:
    """No key and no session: anyone, within the public read limit."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicReadLimit]

    def municipality(self):
        municipality = getattr(self.request, "municipality", None)
        if municipality is None:
            raise NotFound(_("No municipality answers at this address."))
        return municipality

    def public_projects(self):
        return selectors.public_projects(self.municipality())

    def project(self) -> Project:
        project = self.public_projects().filter(slug=self.kwargs["slug"]).first()
        if project is None:
            raise NotFound(_("There is no public project with this address."))
        return project


@extend_schema_view(
    get=extend_schema(
        summary="Public projects",
        description="The municipality's public housing projects, by name.",
        responses={200: ProjectOut(many=True), **PROBLEMS},
        tags=["Public"],
    )
)
class ProjectList(PublicView, generics.ListAPIView):
    serializer_class = ProjectOut
    pagination_class = None  # a municipality has a handful: one answer, no pages

    def get_queryset(self):
        return self.public_projects().order_by("name", "pk")


@extend_schema_view(
    get=extend_schema(
        summary="A public project",
        description=(
            "A public project with its phases, the phases planned ahead and whom to contact: "
            "what its public page shows."
        ),
        responses={
            200: ProjectDetailOut,
            304: OpenApiResponse(
                description="Not modified: the copy whose ETag was sent in If-None-Match is "
                "current."
            ),
            **PROBLEMS,
        },
        tags=["Public"],
    )
)
class ProjectDetail(PublicView, generics.RetrieveAPIView):
    serializer_class = ProjectDetailOut

    def get_object(self) -> Project:
        return self.project()


@extend_schema_view(
    get=extend_schema(
        summary="A project's news",
        description="The project's published news, newest first, in pages.",
        responses={200: UpdateOut(many=True), **PROBLEMS},
        tags=["Public"],
    )
)
class UpdateList(PublicView, generics.ListAPIView):
    serializer_class = UpdateOut
    pagination_class = NewestFirst

    def get_queryset(self):
        return selectors.published_updates(self.project())


@extend_schema_view(
    get=extend_schema(
        summary="A project's coming public meetings",
        description="Public meetings of the project that have not ended, soonest first.",
        responses={200: MeetingOut(many=True), **PROBLEMS},
        tags=["Public"],
    )
)
class MeetingList(PublicView, generics.ListAPIView):
    serializer_class = MeetingOut
    pagination_class = SoonestFirst

    def get_queryset(self):
        return meeting_selectors.public_upcoming_meetings(self.project())


@extend_schema_view(
    get=extend_schema(
        summary="What the municipality does",
        description="The project's public measures, by due date: their public text and status.",
        responses={200: MeasureOut(many=True), **PROBLEMS},
        tags=["Public"],
    )
)
class MeasureList(PublicView, generics.ListAPIView):
    serializer_class = MeasureOut
    pagination_class = None  # as the page: all of them

    def get_queryset(self):
        return plan_selectors.public_measures(self.project())


@extend_schema_view(
    get=extend_schema(
        summary="Risk summaries",
        description=(
            "The project's published risk summaries, newest first: each event with its risk "
            "before and after measures, in words, and the measures with their status."
        ),
        responses={200: RiskSummaryOut(many=True), **PROBLEMS},
        tags=["Public"],
    )
)
class RiskSummaryList(PublicView, generics.ListAPIView):
    serializer_class = RiskSummaryOut
    pagination_class = None

    def get_queryset(self):
        return risk_selectors.public_summaries(self.project())


@extend_schema_view(
    get=extend_schema(
        summary="You said, we did",
        description=(
            "What neighbours said, as published, by theme: the decision and why, and the "
            "measures it led to."
        ),
        responses={200: InputOut(many=True), **PROBLEMS},
        tags=["Public"],
    )
)
class InputList(PublicView, generics.ListAPIView):
    serializer_class = InputOut
    pagination_class = None

    def get_queryset(self):
        inputs = list(input_selectors.published_inputs(self.project()))
        for published in inputs:
            published.public_measures = input_selectors.public_measures_of(published)
        return inputs
