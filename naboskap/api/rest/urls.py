"""`/api/v1/`: the REST API, its OpenAPI schema and its documentation page."""

from django.urls import path, re_path
from django.views.decorators.http import conditional_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from naboskap.api.rest import concerns, meetings, plans, public, risk, stakeholders, surveys, views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("schema/", views.schema_view(SpectacularAPIView), name="schema"),
    path(
        "docs/", views.schema_view(SpectacularSwaggerSplitView, url_name="api:schema"), name="docs"
    ),
    path("projects/", public.ProjectList.as_view(), name="projects"),
    # Details carry an ETag; a client that sends it back in If-None-Match gets 304.
    path("projects/<slug:slug>/", conditional_page(public.ProjectDetail.as_view()), name="project"),
    path("projects/<slug:slug>/updates/", public.UpdateList.as_view(), name="project_updates"),
    path("projects/<slug:slug>/meetings/", public.MeetingList.as_view(), name="project_meetings"),
    path("projects/<slug:slug>/measures/", public.MeasureList.as_view(), name="project_measures"),
    path(
        "projects/<slug:slug>/risk-summaries/",
        public.RiskSummaryList.as_view(),
        name="project_risk_summaries",
    ),
    path("projects/<slug:slug>/you-said/", public.InputList.as_view(), name="project_you_said"),
    # Staff, by token (ADR 0031).
    path("concerns/", concerns.ConcernList.as_view(), name="concerns"),
    path("concerns/<int:pk>/", conditional_page(concerns.ConcernDetail.as_view()), name="concern"),
    path(
        "concerns/<int:pk>/messages/", concerns.ConcernMessages.as_view(), name="concern_messages"
    ),
    path(
        "concerns/<int:pk>/transitions/",
        concerns.ConcernTransition.as_view(),
        name="concern_transitions",
    ),
    path(
        "concerns/<int:pk>/assignment/",
        concerns.ConcernAssignment.as_view(),
        name="concern_assignment",
    ),
    # Staff, by token: measures, meetings and minutes, analyses, stakeholders, surveys.
    path("measures/", plans.MeasureList.as_view(), name="measures"),
    path("measures/<int:pk>/", conditional_page(plans.MeasureDetail.as_view()), name="measure"),
    path("measures/<int:pk>/progress/", plans.MeasureProgress.as_view(), name="measure_progress"),
    path("meetings/", meetings.MeetingList.as_view(), name="meetings"),
    path("meetings/<int:pk>/", conditional_page(meetings.MeetingDetail.as_view()), name="meeting"),
    path("analyses/", risk.AnalysisList.as_view(), name="analyses"),
    path("analyses/<int:pk>/", conditional_page(risk.AnalysisDetail.as_view()), name="analysis"),
    path(
        "stakeholders/organisations/",
        stakeholders.OrganisationList.as_view(),
        name="stakeholder_organisations",
    ),
    path(
        "stakeholders/organisations/<int:pk>/",
        conditional_page(stakeholders.OrganisationDetail.as_view()),
        name="stakeholder_organisation",
    ),
    path("stakeholders/persons/", stakeholders.PersonList.as_view(), name="stakeholder_persons"),
    path(
        "stakeholders/persons/<int:pk>/",
        conditional_page(stakeholders.PersonDetail.as_view()),
        name="stakeholder_person",
    ),
    path("surveys/", surveys.RoundList.as_view(), name="surveys"),
    path("surveys/<int:pk>/", conditional_page(surveys.RoundDetail.as_view()), name="survey"),
    # Anything else below /api/v1/ answers 404 as a problem, not as an HTML page.
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found, name="not_found"),
]
