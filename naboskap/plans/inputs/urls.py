from django.urls import path

from naboskap.plans.inputs import views

app_name = "inputs"

urlpatterns = [
    path("prosjekter/<int:pk>/innspill/", views.input_list, name="list"),
    path("prosjekter/<int:pk>/innspill/nytt/", views.input_create, name="create"),
    path("prosjekter/<int:pk>/innspill/<int:input_pk>/", views.input_detail, name="detail"),
    path("prosjekter/<int:pk>/innspill/<int:input_pk>/rediger/", views.input_edit, name="edit"),
    path("prosjekter/<int:pk>/innspill/<int:input_pk>/vedtak/", views.input_decide, name="decide"),
    path(
        "prosjekter/<int:pk>/innspill/<int:input_pk>/publiser/",
        views.input_publish,
        name="publish",
    ),
    path("prosjekter/<int:pk>/innspill/<int:input_pk>/skjul/", views.input_hide, name="hide"),
    path(
        "prosjekter/<int:pk>/innspill/<int:input_pk>/tiltak/",
        views.input_measure_create,
        name="measure_create",
    ),
]
