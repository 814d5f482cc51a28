from django.urls import path

from naboskap.outbox import views

app_name = "outbox"

urlpatterns = [
    path("", views.emails, name="emails"),
    path("send-igjen/", views.retry, name="retry_all"),
    path("<int:email_pk>/send-igjen/", views.retry, name="retry"),
    path("<int:email_pk>/ikke-send/", views.drop, name="drop"),
]
