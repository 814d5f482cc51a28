from django.urls import path

from naboskap.routines import views

app_name = "routines"

urlpatterns = [
    path("rutiner/", views.routine_list, name="list"),
    path("rutiner/ny/", views.routine_create, name="create"),
    path("rutiner/importer/", views.routine_import, name="import"),
    path("rutiner/<int:pk>/", views.routine_detail, name="detail"),
    path("rutiner/<int:pk>/rediger/", views.routine_edit, name="edit"),
    path("rutiner/<int:pk>/publiser/", views.routine_publish, name="publish"),
    path("rutiner/<int:pk>/trekk-tilbake/", views.routine_retire, name="retire"),
    path("rutiner/<int:pk>/ny-versjon/", views.routine_new_version, name="new_version"),
    path("rutiner/<int:pk>/slett/", views.routine_delete, name="delete"),
    path("rutiner/<int:pk>/eksport/", views.routine_export, name="export"),
    path("rutiner/<int:pk>/faser/ny/", views.phase_edit, name="phase_create"),
    path("rutiner/<int:pk>/faser/<int:phase_pk>/", views.phase_edit, name="phase_edit"),
    path("rutiner/<int:pk>/faser/<int:phase_pk>/slett/", views.phase_delete, name="phase_delete"),
    path("rutiner/<int:pk>/faser/<int:phase_pk>/flytt/", views.phase_move, name="phase_move"),
    path(
        "rutiner/<int:pk>/faser/<int:phase_pk>/oppgaver/ny/",
        views.task_edit,
        name="task_create",
    ),
    path("rutiner/<int:pk>/oppgaver/<int:task_pk>/", views.task_edit, name="task_edit"),
    path("rutiner/<int:pk>/oppgaver/<int:task_pk>/slett/", views.task_delete, name="task_delete"),
    path("rutiner/<int:pk>/oppgaver/<int:task_pk>/flytt/", views.task_move, name="task_move"),
    path("prosjekter/<int:pk>/rutine/", views.project_routine, name="project_routine"),
    path("prosjekter/<int:pk>/oppgaver/", views.checklist, name="checklist"),
    path("prosjekter/<int:pk>/oppgaver/milepeler/", views.milestones, name="milestones"),
    path("prosjekter/<int:pk>/oppgaver/<int:task_pk>/", views.task_complete, name="task_complete"),
]
