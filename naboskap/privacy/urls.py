from django.urls import path

from naboskap.privacy import views

app_name = "privacy"

urlpatterns = [
    path("personvern/", views.index, name="index"),
    path("personvern/logg/", views.log, name="log"),
    path("personvern/protokoll/", views.records, name="records"),
    path("personvern/protokoll.pdf", views.records_pdf, name="records_pdf"),
    path("personvern/dpia/", views.dpia, name="dpia"),
    path("personvern/dpia.pdf", views.dpia_pdf, name="dpia_pdf"),
]
