from django.urls import path

from naboskap.scheduling import views

app_name = "scheduling"

urlpatterns = [path("", views.overview, name="overview")]
