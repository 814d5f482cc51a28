from django.urls import path

from naboskap.portal import feeds, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("nytt.atom", feeds.MunicipalityFeed(), name="feed"),
    path("prosjekter/<slug:slug>/", views.project, name="project"),
    path("prosjekter/<slug:slug>/nytt/", views.project_updates, name="project_updates"),
    path("prosjekter/<slug:slug>/nytt.atom", feeds.ProjectFeed(), name="project_feed"),
    path("prosjekter/<slug:slug>/abonner/", views.subscribe, name="subscribe"),
    path(
        "abonnement/<str:token>/bekreft/", views.subscription_confirm, name="subscription_confirm"
    ),
    path("abonnement/<str:token>/avslutt/", views.unsubscribe, name="unsubscribe"),
]
