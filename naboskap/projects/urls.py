from django.urls import path

from naboskap.projects import views

app_name = "projects"

urlpatterns = [
    path("prosjekter/", views.my_projects, name="my_projects"),
    path("prosjekter/ny/", views.project_create, name="create"),
    path("prosjekter/<int:pk>/", views.project_detail, name="detail"),
    path("prosjekter/<int:pk>/rediger/", views.project_edit, name="edit"),
    path("prosjekter/<int:pk>/fase/", views.project_phase, name="phase"),
    path("prosjekter/<int:pk>/oppdateringer/", views.update_list, name="updates"),
    path("prosjekter/<int:pk>/oppdateringer/ny/", views.update_edit, name="update_create"),
    path(
        "prosjekter/<int:pk>/oppdateringer/<int:update_pk>/",
        views.update_edit,
        name="update_edit",
    ),
    path(
        "prosjekter/<int:pk>/oppdateringer/<int:update_pk>/slett/",
        views.update_delete,
        name="update_delete",
    ),
    path("prosjekter/<int:pk>/kontakt/ny/", views.contact_point_edit, name="contact_create"),
    path("prosjekter/<int:pk>/kontakt/<int:cp_pk>/", views.contact_point_edit, name="contact_edit"),
    path(
        "prosjekter/<int:pk>/kontakt/<int:cp_pk>/slett/",
        views.contact_point_delete,
        name="contact_delete",
    ),
]
