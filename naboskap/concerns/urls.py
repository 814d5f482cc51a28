from django.urls import path

from naboskap.concerns import views

app_name = "concerns"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tildel/", views.bulk_assign, name="bulk_assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bilder/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/melding/", views.message, name="message"),
    path("<int:pk>/tildel/", views.assign, name="assign"),
    path("<int:pk>/slaa-sammen/", views.merge, name="merge"),
]
