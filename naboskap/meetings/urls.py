from django.urls import path

from naboskap.meetings import views
from naboskap.meetings.minutes import views as mv

app_name = "meetings"

BODY = "prosjekter/<int:pk>/naboraad/<int:body_pk>/"
MEETING = "prosjekter/<int:pk>/moter/<int:meeting_pk>/"
SERIES = "prosjekter/<int:pk>/moter/serier/<int:series_pk>/"
ITEM = f"{MEETING}dagsorden/<int:item_pk>/"
MINUTES = f"{MEETING}referat/"

urlpatterns = [
    path("prosjekter/<int:pk>/naboraad/", views.body_list, name="body_list"),
    path("prosjekter/<int:pk>/naboraad/ny/", views.body_create, name="body_create"),
    path(BODY, views.body_detail, name="body_detail"),
    path(f"{BODY}rediger/", views.body_edit, name="body_edit"),
    path(f"{BODY}kalender/ny-adresse/", views.body_feed_rotate, name="body_feed_rotate"),
    path(f"{BODY}medlemmer/ny/", views.member_edit, name="member_create"),
    path(f"{BODY}medlemmer/<int:member_pk>/", views.member_edit, name="member_edit"),
    path(
        f"{BODY}medlemmer/<int:member_pk>/avslutt/", views.member_end_term, name="member_end_term"
    ),
    path(
        f"{BODY}medlemmer/<int:member_pk>/innloggingslenke/",
        views.member_login_link,
        name="member_login_link",
    ),
    path(
        f"{BODY}medlemmer/<int:member_pk>/innloggingsbrev.pdf",
        views.member_login_letter,
        name="member_login_letter",
    ),
    path("prosjekter/<int:pk>/moter/", views.meeting_list, name="meeting_list"),
    path("prosjekter/<int:pk>/moter/nytt/", views.meeting_create, name="meeting_create"),
    path(MEETING, views.meeting_detail, name="meeting_detail"),
    path(f"{MEETING}rediger/", views.meeting_edit, name="meeting_edit"),
    path(f"{MEETING}avlys/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{MEETING}inviter/", views.meeting_invite, name="meeting_invite"),
    path(f"{MEETING}send-invitasjoner/", views.meeting_send, name="meeting_send"),
    path(f"{MEETING}brev.pdf", views.meeting_letters, name="meeting_letters"),
    path(f"{BODY}budsjett/", views.body_budget, name="body_budget"),
    path(f"{MEETING}kostnader/", views.meeting_costs, name="meeting_costs"),
    path(
        f"{MEETING}kostnader/<int:line_pk>/slett/",
        views.cost_line_delete,
        name="cost_line_delete",
    ),
    path(
        f"{MEETING}dagsorden/lagre-som-mal/",
        views.agenda_template_save,
        name="agenda_template_save",
    ),
    path(
        "prosjekter/<int:pk>/moter/dagsordenmaler/",
        views.agenda_template_list,
        name="agenda_template_list",
    ),
    path(
        "prosjekter/<int:pk>/moter/dagsordenmaler/<int:template_pk>/slett/",
        views.agenda_template_delete,
        name="agenda_template_delete",
    ),
    path("prosjekter/<int:pk>/moter/serier/ny/", views.series_create, name="series_create"),
    path(SERIES, views.series_detail, name="series_detail"),
    path(f"{SERIES}rediger/", views.series_edit, name="series_edit"),
    path(f"{SERIES}avslutt/", views.series_end, name="series_end"),
    path(
        f"{MEETING}invitasjoner/<int:inv_pk>/avvist/",
        views.invitation_bounce,
        name="invitation_bounce",
    ),
    # Agendas, the residents' meeting and minutes (minutes/views.py)
    path(f"{MEETING}dagsorden/ny/", mv.agenda_item_create, name="agenda_item_create"),
    path(f"{ITEM}", mv.agenda_item_edit, name="agenda_item_edit"),
    path(f"{ITEM}slett/", mv.agenda_item_delete, name="agenda_item_delete"),
    path(f"{ITEM}flytt/", mv.agenda_item_move, name="agenda_item_move"),
    path(f"{ITEM}beboerne/", mv.residents_note, name="residents_note"),
    path(f"{MEETING}beboermote/", mv.residents_meeting_create, name="residents_meeting_create"),
    path(f"{MINUTES}", mv.minutes_detail, name="minutes_detail"),
    path(f"{MINUTES}start/", mv.minutes_start, name="minutes_start"),
    path(f"{MINUTES}rediger/", mv.minutes_edit, name="minutes_edit"),
    path(f"{MINUTES}oppmote/", mv.minutes_attendance, name="minutes_attendance"),
    path(f"{MINUTES}punkt/<int:item_pk>/", mv.minutes_item, name="minutes_item"),
    path(f"{MINUTES}punkt/<int:item_pk>/vedtak/", mv.decision_create, name="decision_create"),
    path(f"{MINUTES}vedtak/<int:decision_pk>/", mv.decision_edit, name="decision_edit"),
    path(f"{MINUTES}send/", mv.minutes_send, name="minutes_send"),
    path(f"{MINUTES}kommentar/", mv.minutes_comment, name="minutes_comment"),
    path(f"{MINUTES}godkjenn/", mv.minutes_approve, name="minutes_approve"),
    path(f"{MINUTES}publiser/", mv.minutes_publish, name="minutes_publish"),
    path(f"{MINUTES}avpubliser/", mv.minutes_unpublish, name="minutes_unpublish"),
    path(f"{MINUTES}versjoner/<int:version>/", mv.minutes_version, name="minutes_version"),
    path(f"{MEETING}referat.pdf", mv.minutes_pdf, name="minutes_pdf"),
]
