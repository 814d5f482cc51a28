from django.urls import path

from naboskap.reports import views

app_name = "reports"

urlpatterns = [
    path("rapporter/", views.report_list, name="list"),
    path("rapporter/ny/", views.report_create, name="create"),
    path("rapporter/plan/", views.schedule_edit, name="schedule"),
    path("rapporter/<int:pk>/", views.report_detail, name="detail"),
    path("rapporter/<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("prosjekter/<int:pk>/rapporter/", views.project_reports, name="project_reports"),
    path("prosjekter/<int:pk>/rapporter/ny/", views.project_report_create, name="project_create"),
    path(
        "prosjekter/<int:pk>/rapporter/plan/",
        views.project_schedule_edit,
        name="project_schedule",
    ),
]
