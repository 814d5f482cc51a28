from django.urls import path, register_converter

from naboskap.portal import (
    concern_views,
    feeds,
    input_views,
    meeting_views,
    member_views,
    scoring_views,
    short_link_views,
    survey_views,
    views,
)

app_name = "portal"


class TokenConverter:
    """The alphabet of `secrets.token_urlsafe`: anything else cannot be a token."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ReferenceConverter:
    """A concern's reference, `2026-000123`: anything else is not found without a lookup."""

    regex = "[0-9]{4}-[0-9]{6}"  # not \d: that also matches other scripts' digits

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
register_converter(ReferenceConverter, "reference")

urlpatterns = [
    path("", views.home, name="home"),
    path("n/<str:code>/", short_link_views.short_link, name="short_link"),
    path("nytt.atom", feeds.municipality_feed, name="feed"),
    path("prosjekter/<slug:slug>/", views.project, name="project"),
    path("prosjekter/<slug:slug>/nytt/", views.project_updates, name="project_updates"),
    path("prosjekter/<slug:slug>/risiko/", views.risk_summary, name="risk_summary"),
    path("prosjekter/<slug:slug>/nytt.atom", feeds.project_feed, name="project_feed"),
    path("prosjekter/<slug:slug>/abonner/", views.subscribe, name="subscribe"),
    path(
        "abonnement/<token:token>/bekreft/", views.subscription_confirm, name="subscription_confirm"
    ),
    path("abonnement/<token:token>/avslutt/", views.unsubscribe, name="unsubscribe"),
    path("meld/", concern_views.report, name="report"),
    path("meld/adresse/", concern_views.nearest_address, name="nearest_address"),
    path("prosjekter/<slug:slug>/meld/", concern_views.project_report, name="project_report"),
    path("melding/<reference:reference>/", concern_views.follow_up, name="concern_follow_up"),
    # The short follow-up address of a receipt letter (asks for the letter's code).
    path("m/<reference:reference>/", concern_views.short_link, name="concern_short"),
    path("melding/<reference:reference>/svar/", concern_views.reply, name="concern_reply"),
    path(
        "melding/<reference:reference>/kontaktinfo/slett/",
        concern_views.erase_contact,
        name="concern_erase_contact",
    ),
    path(
        "melding/<reference:reference>/vurdering/",
        concern_views.satisfaction,
        name="concern_satisfaction",
    ),
    path("melding/<reference:reference>/gjenapne/", concern_views.reopen, name="concern_reopen"),
    path("prosjekter/<slug:slug>/innspill/", input_views.suggest, name="input_suggest"),
    path("prosjekter/<slug:slug>/innspill/takk/", input_views.thanks, name="input_thanks"),
    path("prosjekter/<slug:slug>/du-sa-vi-gjorde/", input_views.you_said, name="you_said"),
    path("ros/<str:code>/", scoring_views.scoring_join, name="scoring_join"),
    path("undersokelse/<token:token>/", survey_views.survey_answer, name="survey_answer"),
    path("ros/<str:code>/<int:number>/", scoring_views.scoring_vote, name="scoring_vote"),
    path("ros/<str:code>/mine/", scoring_views.scoring_summary, name="scoring_summary"),
    path("naboraad/inn/<token:token>/", member_views.member_login, name="member_login"),
    path("naboraad/kode/", member_views.member_code, name="member_code"),
    path("naboraad/ny-lenke/", member_views.member_link_request, name="member_link_request"),
    path("naboraad/logg-ut/", member_views.members_logout, name="members_logout"),
    path("naboraad/<int:body_pk>/", member_views.members_page, name="members_page"),
    path(
        "naboraad/<int:body_pk>/referat/<int:minutes_pk>/kommentar/",
        member_views.members_comment,
        name="members_comment",
    ),
    path(
        "naboraad/<int:body_pk>/moter/<int:meeting_pk>/svar/",
        member_views.members_rsvp,
        name="members_rsvp",
    ),
    path("naboraad/<int:body_pk>/kontakt/", member_views.members_consent, name="members_consent"),
    path("svar/<token:token>/", meeting_views.rsvp, name="meeting_rsvp"),
    path("svar/<token:token>/kalender.ics", meeting_views.rsvp_calendar, name="rsvp_calendar"),
    path("prosjekter/<slug:slug>/moter.ics", meeting_views.project_feed, name="meeting_feed"),
    path(
        "prosjekter/<slug:slug>/referater/<int:pk>/",
        meeting_views.meeting_minutes,
        name="meeting_minutes",
    ),
    path("kalender/naboraad/<token:token>.ics", meeting_views.body_feed, name="body_feed"),
]
