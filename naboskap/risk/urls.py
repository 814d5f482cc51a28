from django.urls import path

from naboskap.risk import report_views, room_views, summary_views, views

app_name = "risk"

ANALYSIS = "prosjekter/<int:pk>/ros/<int:analysis_pk>/"
EVENT = ANALYSIS + "hendelser/<int:event_pk>/"
ROUND = ANALYSIS + "runder/<int:round_pk>/"

urlpatterns = [
    path("prosjekter/<int:pk>/ros/", views.analysis_list, name="analysis_list"),
    path("prosjekter/<int:pk>/ros/ny/", views.analysis_create, name="analysis_create"),
    path(ANALYSIS, views.analysis_detail, name="analysis_detail"),
    path(ANALYSIS + "rediger/", views.analysis_edit, name="analysis_edit"),
    path(ANALYSIS + "status/", views.analysis_status, name="analysis_status"),
    path(ANALYSIS + "ny-revisjon/", views.analysis_revise, name="analysis_revise"),
    path(ANALYSIS + "endringer/", views.analysis_diff, name="analysis_diff"),
    path(ANALYSIS + "matrise/", views.matrix, name="matrix"),
    path(ANALYSIS + "rapport/", report_views.report_page, name="report"),
    path(ANALYSIS + "rapport.pdf", report_views.report_pdf, name="report_pdf"),
    path(ANALYSIS + "hendelser.xlsx", report_views.events_xlsx, name="events_xlsx"),
    path(ANALYSIS + "hendelser.csv", report_views.events_csv, name="events_csv"),
    path(ANALYSIS + "publiser/", summary_views.summary_publish, name="summary_publish"),
    path(ANALYSIS + "avpubliser/", summary_views.summary_unpublish, name="summary_unpublish"),
    path(ANALYSIS + "hendelser/ny/", views.event_create, name="event_create"),
    path(EVENT, views.event_detail, name="event_detail"),
    path(EVENT + "rediger/", views.event_edit, name="event_edit"),
    path(EVENT + "vurdering/", views.event_score, name="event_score"),
    path(EVENT + "slett/", views.event_delete, name="event_delete"),
    path(EVENT + "tiltak/", views.event_measure_create, name="event_measure_create"),
    path(ANALYSIS + "runder/ny/", views.round_create, name="round_create"),
    path(ROUND, views.round_detail, name="round_detail"),
    path(ROUND + "resultater/", views.round_results, name="round_results"),
    path(ROUND + "rom/", room_views.round_room, name="round_room"),
    path(ROUND + "rom/resultater/", room_views.round_room_results, name="round_room_results"),
    path(ROUND + "lukk/", views.round_close, name="round_close"),
    path(ROUND + "fastsett/", views.round_settle, name="round_settle"),
    path("ros-skalaer/", views.scale_list, name="scale_list"),
    path("ros-skalaer/ny/", views.scale_create, name="scale_create"),
    path("ros-skalaer/<int:pk>/", views.scale_detail, name="scale_detail"),
    path("ros-skalaer/<int:pk>/rediger/", views.scale_edit, name="scale_edit"),
    path("ros-skalaer/<int:pk>/standard/", views.scale_make_default, name="scale_make_default"),
]
