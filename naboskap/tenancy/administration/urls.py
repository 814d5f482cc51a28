from django.urls import path

from naboskap.tenancy.administration import views

app_name = "administration"

urlpatterns = [
    path("brukere/", views.users, name="users"),
    path("brukere/inviter/", views.user_invite, name="invite"),
    path("brukere/<int:user_pk>/", views.user_detail, name="user"),
    path("brukere/<int:user_pk>/deaktiver/", views.user_deactivate, name="user_deactivate"),
    path(
        "brukere/<int:user_pk>/tofaktor/nullstill/",
        views.user_reset_mfa,
        name="user_reset_mfa",
    ),
    path(
        "invitasjoner/<int:invitation_pk>/send-igjen/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitasjoner/<int:invitation_pk>/trekk-tilbake/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("enheter/", views.units, name="units"),
    path("enheter/ny/", views.unit_create, name="unit_create"),
    path("enheter/<int:unit_pk>/", views.unit_edit, name="unit"),
    path("enheter/<int:unit_pk>/sla-sammen/", views.unit_merge, name="unit_merge"),
    path("enheter/<int:unit_pk>/legg-ned/", views.unit_retire, name="unit_retire"),
    path("enheter/<int:unit_pk>/ta-i-bruk/", views.unit_reinstate, name="unit_reinstate"),
    path("logg/", views.log, name="log"),
]
