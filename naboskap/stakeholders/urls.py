from django.urls import path

from naboskap.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("adresser/", views.addresses, name="addresses"),
    path("prosjekter/<int:pk>/naboliste/", views.neighbour_list, name="neighbour_list"),
    path(
        "prosjekter/<int:pk>/naboliste/beregn/", views.neighbour_compute, name="neighbour_compute"
    ),
    path("prosjekter/<int:pk>/naboliste/legg-til/", views.neighbour_add, name="neighbour_add"),
    path("prosjekter/<int:pk>/naboliste/csv/", views.neighbour_export, name="neighbour_export"),
    path(
        "prosjekter/<int:pk>/naboliste/<int:entry_pk>/fjern/",
        views.neighbour_remove,
        name="neighbour_remove",
    ),
    path(
        "prosjekter/<int:pk>/naboliste/<int:entry_pk>/tilbake/",
        views.neighbour_restore,
        name="neighbour_restore",
    ),
]
