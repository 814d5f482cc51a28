"""What works for the municipality: /app/hva-virker/ (the catalogue, its settings, the export)
and, per project, /app/prosjekter/<pk>/… (the trust barometer)."""

from django.urls import path

from naboskap.whatworks import barometer_views, export_views, settings_views, views

app_name = "whatworks"

urlpatterns = [
    path("hva-virker/", views.catalogue, name="catalogue"),
    path("hva-virker/eksport.csv", export_views.export_csv, name="export"),
    path("hva-virker/innstillinger/", settings_views.settings_edit, name="settings"),
    path("prosjekter/<int:pk>/tillit/", barometer_views.barometer_page, name="barometer"),
]
