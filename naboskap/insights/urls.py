from django.urls import path

from naboskap.insights import views

app_name = "insights"

urlpatterns = [
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
]
