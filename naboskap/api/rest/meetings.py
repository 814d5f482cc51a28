"""Meetings for staff, by token: the meetings of the projects the token's user reaches, and a
meeting with its agenda and its minutes.

Each request asks the same access helper and readers as the staff pages
(`meetings.access.get_meeting_for_user`, the agenda and minutes of `meetings.selectors`):
a meeting the user may not see is 404. Everyone who sees a meeting reads its minutes on the
minutes page, drafts too, so the minutes come with the meeting.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from naboskap.api.models import Area
from naboskap.api.rest.concerns import STAFF_PROBLEMS, Named, PersonField
from naboskap.api.rest.conventions import PROBLEM_TYPE, Cursor, Problem
from naboskap.api.rest.plans import LIST_PROBLEMS, MAX_ID, ProjectRef, page_of
from naboskap.api.rest.tokens import StaffView
from naboskap.meetings import selectors
from naboskap.meetings.access import get_meeting_for_user
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.minutes.views import agenda_items
from naboskap.meetings.models import AgendaItem, Meeting, Minutes
from naboskap.projects.selectors import projects_for_user

READ_PROBLEMS = {
    **STAFF_PROBLEMS,
    (404, PROBLEM_TYPE): OpenApiResponse(
        Problem, description="No such meeting, or not one the token's user may see."
    ),
}
UPCOMING, PAST = "upcoming", "past"


class MeetingItem(serializers.ModelSerializer):
    project = ProjectRef()
    body = Named(allow_null=True, help_text="The council or other body that meets, or null.")
    kind_label = serializers.CharField(source="get_kind_display")
    invited = serializers.IntegerField(help_text="Invitations.")
    answered_yes = serializers.IntegerField()
    answered_no = serializers.IntegerField()
    page = serializers.SerializerMethodField(help_text="The meeting's staff page.")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "project",
            "body",
            "kind",
            "kind_label",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "is_public",
            "cancelled_at",
            "cancel_reason",
            "invited",
            "answered_yes",
            "answered_no",
            "page",
        ]

    def get_page(self, meeting) -> str:
        return page_of(self, meeting)


class AgendaItemOut(serializers.ModelSerializer):
    concern = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True, help_text="Its reference."
    )
    unwanted_event = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    measure = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "title",
            "description",
            "presenter",
            "duration_minutes",
            "for_residents",
            "concern",
            "unwanted_event",
            "measure",
        ]


class MinutesMeasureOut(serializers.Serializer):
    title = serializers.CharField()
    owner_unit = serializers.CharField()
    due_date = serializers.CharField(help_text="ISO 8601 date, or empty.")


class MinutesDecisionOut(serializers.Serializer):
    text = serializers.CharField()
    measures = MinutesMeasureOut(many=True, help_text="Measures the decision put on the plan.")


class MinutesItemOut(serializers.Serializer):
    title = serializers.CharField()
    presenter = serializers.CharField()
    notes = serializers.CharField()
    residents_note = serializers.CharField(help_text="What the residents' meeting said.")
    decisions = MinutesDecisionOut(many=True)


class MinutesContentOut(serializers.Serializer):
    summary = serializers.CharField(help_text="The general notes.")
    head_count = serializers.IntegerField(allow_null=True)
    present = serializers.ListField(child=serializers.CharField())
    absent = serializers.ListField(child=serializers.CharField())
    apologies = serializers.ListField(child=serializers.CharField())
    items = MinutesItemOut(many=True)


class MinutesOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    approved_by = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField(
        help_text="The minutes as they read now (the working copy; an approved version is "
        "kept as it was)."
    )

    class Meta:
        model = Minutes
        fields = [
            "status",
            "status_label",
            "version",
            "approved_at",
            "approved_by",
            "is_public",
            "published_at",
            "changed_at",
            "content",
        ]

    def get_approved_by(self, minutes) -> str:
        return minutes_services.person_name(minutes.approved_by) if minutes.approved_by else ""

    @extend_schema_field(MinutesContentOut)
    def get_content(self, minutes):
        return MinutesContentOut(selectors.minutes_content(minutes.meeting)).data


class MeetingDetailOut(MeetingItem):
    created_by = PersonField(allow_null=True)
    agenda = serializers.SerializerMethodField(help_text="The agenda, in order.")
    minutes = serializers.SerializerMethodField(
        help_text="The minutes, or null when nobody has started them."
    )

    class Meta(MeetingItem.Meta):
        fields = [*MeetingItem.Meta.fields, "description", "created_by", "agenda", "minutes"]

    @extend_schema_field(AgendaItemOut(many=True))
    def get_agenda(self, meeting):
        return AgendaItemOut(agenda_items(meeting), many=True).data

    @extend_schema_field(MinutesOut(allow_null=True))
    def get_minutes(self, meeting):
        minutes = Minutes.objects.select_related("approved_by").filter(meeting=meeting).first()
        if minutes is None:
            return None
        minutes.meeting = meeting
        return MinutesOut(minutes).data


class MeetingFilters(serializers.Serializer):
    project = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A project's id."
    )
    when = serializers.ChoiceField(
        choices=[UPCOMING, PAST],
        required=False,
        help_text="`upcoming` (not over yet, soonest first) or `past` (over, newest first); "
        "all, newest first, when not given.",
    )


class NewestFirst(Cursor):
    ordering = ("-starts_at", "-pk")


class SoonestFirst(Cursor):
    ordering = ("starts_at", "pk")


class MeetingList(ListModelMixin, StaffView):
    area = Area.MEETINGS
    serializer_class = MeetingItem
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="meetings_list",
        parameters=[MeetingFilters],
        responses={200: MeetingItem(many=True), **LIST_PROBLEMS},
        tags=["meetings"],
    )
    def get(self, request):
        """The meetings of every project the token's user reaches, cancelled ones too, with
        their numbers of invitations and answers, as the meetings page lists them."""
        filters = MeetingFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        reachable = projects_for_user(request.user).values("pk")
        meetings = selectors.meetings_with_counts(
            Meeting.objects.filter(project__in=reachable)
        ).select_related("project")
        if "project" in data:
            meetings = meetings.filter(project_id=data["project"])
        now = timezone.now()
        if data.get("when") == UPCOMING:
            meetings = meetings.filter(ends_at__gte=now)
            self.pagination_class = SoonestFirst
        elif data.get("when") == PAST:
            meetings = meetings.filter(ends_at__lt=now)
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def meeting_for(user, pk: int) -> Meeting:
    """The meeting through the meetings' access helper (404 outside the user's reach), with
    its invitation counts."""
    project_id = Meeting.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise Http404
    meeting = get_meeting_for_user(user, project_id, pk)
    counted = selectors.meetings_with_counts(Meeting.objects.filter(pk=meeting.pk)).get()
    for name in ("invited", "answered_yes", "answered_no"):
        setattr(meeting, name, getattr(counted, name))
    return meeting


class MeetingDetail(StaffView):
    area = Area.MEETINGS
    serializer_class = MeetingDetailOut

    @extend_schema(
        operation_id="meetings_retrieve",
        responses={200: MeetingDetailOut, **READ_PROBLEMS},
        tags=["meetings"],
    )
    def get(self, request, pk: int):
        """A meeting with its agenda and its minutes (status, version, approval, and the
        text), as its page and its minutes page show them."""
        return Response(self.get_serializer(meeting_for(request.user, pk)).data)
