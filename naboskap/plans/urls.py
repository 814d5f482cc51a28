from django.urls import path

from naboskap.plans import views

app_name = "plans"

urlpatterns = [
    path("tiltak/", views.my_measures, name="my_measures"),
    path("prosjekter/<int:pk>/tiltak/", views.plan, name="plan"),
    path("prosjekter/<int:pk>/tiltak/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("prosjekter/<int:pk>/tiltak/plan.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("prosjekter/<int:pk>/tiltak/matrise/", views.matrix, name="matrix"),
    path("prosjekter/<int:pk>/tiltak/nytt/", views.measure_edit, name="measure_create"),
    path(
        "prosjekter/<int:pk>/tiltak/<int:measure_pk>/", views.measure_detail, name="measure_detail"
    ),
    path(
        "prosjekter/<int:pk>/tiltak/<int:measure_pk>/rediger/",
        views.measure_edit,
        name="measure_edit",
    ),
    path(
        "prosjekter/<int:pk>/tiltak/<int:measure_pk>/fremdrift/",
        views.measure_progress,
        name="measure_progress",
    ),
]
