from django.urls import path

from naboskap.insights import home_views, views

app_name = "insights"

TEMPLATE = "undersokelsesmaler/<int:pk>/"
QUESTION = TEMPLATE + "sporsmal/<int:question_pk>/"

urlpatterns = [
    # The staff start page (issue 18).
    path("", home_views.home, name="home"),
    path("prosjekter/<int:pk>/undersokelser/", views.rounds, name="rounds"),
    path("prosjekter/<int:pk>/undersokelser/ny/", views.round_create, name="round_create"),
    path(
        "prosjekter/<int:pk>/undersokelser/<int:round_pk>/",
        views.round_results,
        name="round_results",
    ),
    path(
        "prosjekter/<int:pk>/undersokelser/<int:round_pk>/koder/",
        views.round_codes,
        name="round_codes",
    ),
    path(
        "prosjekter/<int:pk>/undersokelser/<int:round_pk>/koder/<str:token>/",
        views.round_codes_run,
        name="round_codes_run",
    ),
    path("undersokelsesmaler/", views.template_list, name="template_list"),
    path("undersokelsesmaler/ny/", views.template_create, name="template_create"),
    path(TEMPLATE, views.template_detail, name="template_detail"),
    path(TEMPLATE + "rediger/", views.template_edit, name="template_edit"),
    path(TEMPLATE + "ny-versjon/", views.template_new_version, name="template_new_version"),
    path(TEMPLATE + "sporsmal/ny/", views.question_create, name="question_create"),
    path(QUESTION, views.question_edit, name="question_edit"),
    path(QUESTION + "flytt/", views.question_move, name="question_move"),
    path(QUESTION + "slett/", views.question_delete, name="question_delete"),
    # Dashboards
    path("prosjekter/<int:pk>/oversikt/", views.project_dashboard, name="project_dashboard"),
    path(
        "prosjekter/<int:pk>/oversikt/eksport.<str:fmt>",
        views.project_dashboard_export,
        name="project_dashboard_export",
    ),
    path("oversikt/", views.municipality_dashboard, name="municipality_dashboard"),
    path(
        "oversikt/eksport.<str:fmt>",
        views.municipality_dashboard_export,
        name="municipality_dashboard_export",
    ),
]
