from django.urls import path

from naboskap.tenancy.invitations import views as invitations

app_name = "invitations"

urlpatterns = [
    path("<str:token>/", invitations.accept, name="accept"),
]
