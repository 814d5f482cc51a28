from django.urls import path

from naboskap.situation import views

app_name = "situation"

BASE = "prosjekter/<int:pk>/situasjonsbilde/"

urlpatterns = [
    path(BASE, views.picture, name="picture"),
    path(f"{BASE}vurderinger/ny/", views.assessment_create, name="assessment_create"),
    path(
        f"{BASE}vurderinger/<int:assessment_pk>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        f"{BASE}vurderinger/<int:assessment_pk>/rediger/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(
        f"{BASE}vurderinger/<int:assessment_pk>/signer/",
        views.assessment_sign,
        name="assessment_sign",
    ),
    path(
        f"{BASE}vurderinger/<int:assessment_pk>/pdf/", views.assessment_pdf, name="assessment_pdf"
    ),
    path(
        f"{BASE}vurderinger/<int:assessment_pk>/versjoner/<int:number>/",
        views.version_detail,
        name="version_detail",
    ),
]
