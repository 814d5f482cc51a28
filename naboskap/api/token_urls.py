"""The REST API's token pages (below /app/): one's own under the profile, and the
administrator's for a user of the municipality under the administration's users."""

from django.urls import path

from naboskap.api import token_views

app_name = "api_tokens"

urlpatterns = [
    path("profil/api-tokens/", token_views.token_list, name="list"),
    path("profil/api-tokens/ny/", token_views.token_created, name="created"),
    path("profil/api-tokens/<int:pk>/trekk-tilbake/", token_views.token_revoke, name="revoke"),
    path(
        "administrasjon/brukere/<int:user_pk>/api-tokens/ny/",
        token_views.member_token_create,
        name="member_create",
    ),
    path(
        "administrasjon/brukere/<int:user_pk>/api-tokens/<int:pk>/trekk-tilbake/",
        token_views.member_token_revoke,
        name="member_revoke",
    ),
]
