from django.urls import path

from naboskap.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("kommune/", views.switch_municipality, name="switch_municipality"),
    path("profil/", views.profile, name="profile"),
]
