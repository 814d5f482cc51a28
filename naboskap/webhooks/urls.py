from django.urls import path

from naboskap.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("ny/", views.endpoint_create, name="endpoint_create"),
    path("<int:endpoint_pk>/", views.endpoint, name="endpoint"),
    path("<int:endpoint_pk>/rediger/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:endpoint_pk>/slett/", views.endpoint_delete, name="endpoint_delete"),
    path("<int:endpoint_pk>/test/", views.endpoint_ping, name="endpoint_ping"),
    path("<int:endpoint_pk>/ny-hemmelighet/", views.endpoint_secret, name="endpoint_secret"),
    path(
        "<int:endpoint_pk>/leveranser/<int:delivery_pk>/send-igjen/",
        views.delivery_retry,
        name="delivery_retry",
    ),
]
