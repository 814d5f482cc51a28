from django.urls import path

from naboskap.concerns import settings_views, views

app_name = "concerns"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("innstillinger/", settings_views.settings_page, name="settings"),
    path("innstillinger/kategorier/ny/", settings_views.category_edit, name="category_create"),
    path(
        "innstillinger/kategorier/<int:category_pk>/",
        settings_views.category_edit,
        name="category_edit",
    ),
    path("innstillinger/ruting/", settings_views.rule_add, name="rule_add"),
    path(
        "innstillinger/ruting/<int:rule_pk>/slett/",
        settings_views.rule_delete,
        name="rule_delete",
    ),
    path("innstillinger/oppbevaring/", settings_views.policy_edit, name="policy_edit"),
    path("tildel/", views.bulk_assign, name="bulk_assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bilder/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/melding/", views.message, name="message"),
    path("<int:pk>/tildel/", views.assign, name="assign"),
    path("<int:pk>/slaa-sammen/", views.merge, name="merge"),
    path("<int:pk>/tiltak/", views.measure_create, name="measure_create"),
    path("<int:pk>/hendelse/", views.link_event, name="link_event"),
    path("<int:pk>/politi/", views.police_relevant, name="police_relevant"),
]
