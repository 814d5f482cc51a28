from django.urls import path

from naboskap.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("innstillinger/", views.settings_edit, name="settings"),
    path("<int:registration_pk>/send-igjen/", views.resend, name="resend"),
]
