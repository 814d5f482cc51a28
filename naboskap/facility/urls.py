from django.urls import path

from naboskap.facility import views

app_name = "facility"

urlpatterns = [
    path("runder/", views.my_rounds, name="my_rounds"),
    path("prosjekter/<int:pk>/runder/", views.round_list, name="round_list"),
    path("prosjekter/<int:pk>/runder/start/", views.round_start, name="round_start"),
    path("prosjekter/<int:pk>/runder/<int:round_pk>/", views.round_detail, name="round_detail"),
    path("prosjekter/<int:pk>/runder/<int:round_pk>/avslutt/", views.round_end, name="round_end"),
    path(
        "prosjekter/<int:pk>/runder/<int:round_pk>/alt-rolig/",
        views.round_all_calm,
        name="round_all_calm",
    ),
    path(
        "prosjekter/<int:pk>/runder/<int:round_pk>/observasjon/",
        views.observation_create,
        name="observation_create",
    ),
    path("prosjekter/<int:pk>/observasjoner/", views.observation_list, name="observation_list"),
    path(
        "prosjekter/<int:pk>/observasjoner/<int:observation_pk>/",
        views.observation_detail,
        name="observation_detail",
    ),
    path(
        "prosjekter/<int:pk>/observasjoner/<int:observation_pk>/bilde/",
        views.observation_photo,
        name="observation_photo",
    ),
    path(
        "prosjekter/<int:pk>/observasjoner/<int:observation_pk>/henvendelse/",
        views.observation_concern,
        name="observation_concern",
    ),
    path(
        "prosjekter/<int:pk>/observasjoner/<int:observation_pk>/tiltak/",
        views.observation_measure,
        name="observation_measure",
    ),
    path("prosjekter/<int:pk>/hendelseslogg/", views.incident_list, name="incident_list"),
    path("prosjekter/<int:pk>/hendelseslogg/ny/", views.incident_create, name="incident_create"),
    path(
        "prosjekter/<int:pk>/hendelseslogg/<int:incident_pk>/",
        views.incident_detail,
        name="incident_detail",
    ),
    path(
        "prosjekter/<int:pk>/hendelseslogg/<int:incident_pk>/oppfolging/",
        views.incident_follow_up,
        name="incident_follow_up",
    ),
    path(
        "prosjekter/<int:pk>/hendelseslogg/<int:incident_pk>/status/",
        views.incident_status,
        name="incident_status",
    ),
]
