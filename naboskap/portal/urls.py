from django.urls import path, register_converter

from naboskap.portal import feeds, views

app_name = "portal"


class TokenConverter:
    """The alphabet of `secrets.token_urlsafe`: anything else cannot be a token."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

urlpatterns = [
    path("", views.home, name="home"),
    path("nytt.atom", feeds.municipality_feed, name="feed"),
    path("prosjekter/<slug:slug>/", views.project, name="project"),
    path("prosjekter/<slug:slug>/nytt/", views.project_updates, name="project_updates"),
    path("prosjekter/<slug:slug>/nytt.atom", feeds.project_feed, name="project_feed"),
    path("prosjekter/<slug:slug>/abonner/", views.subscribe, name="subscribe"),
    path(
        "abonnement/<token:token>/bekreft/", views.subscription_confirm, name="subscription_confirm"
    ),
    path("abonnement/<token:token>/avslutt/", views.unsubscribe, name="unsubscribe"),
]
