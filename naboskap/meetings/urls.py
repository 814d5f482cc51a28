from django.urls import path

from naboskap.meetings import views

app_name = "meetings"

BODY = "prosjekter/<int:pk>/naboraad/<int:body_pk>/"
MEETING = "prosjekter/<int:pk>/moter/<int:meeting_pk>/"

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
    path("prosjekter/<int:pk>/moter/", views.meeting_list, name="meeting_list"),
    path("prosjekter/<int:pk>/moter/nytt/", views.meeting_create, name="meeting_create"),
    path(MEETING, views.meeting_detail, name="meeting_detail"),
    path(f"{MEETING}rediger/", views.meeting_edit, name="meeting_edit"),
    path(f"{MEETING}avlys/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{MEETING}inviter/", views.meeting_invite, name="meeting_invite"),
    path(f"{MEETING}brev.pdf", views.meeting_letters, name="meeting_letters"),
    path(
        f"{MEETING}invitasjoner/<int:inv_pk>/avvist/",
        views.invitation_bounce,
        name="invitation_bounce",
    ),
]
