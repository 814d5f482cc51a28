from django.urls import path

from naboskap.stakeholders import views
from naboskap.stakeholders.addresses import views as address_views
from naboskap.stakeholders.places import views as place_views
from naboskap.stakeholders.register import views as register_views

app_name = "stakeholders"

urlpatterns = [
    path("adresser/", address_views.addresses, name="addresses"),
    path("prosjekter/<int:pk>/naboliste/", views.neighbour_list, name="neighbour_list"),
    path(
        "prosjekter/<int:pk>/naboliste/forhandsvis/",
        views.neighbour_preview,
        name="neighbour_preview",
    ),
    path(
        "prosjekter/<int:pk>/naboliste/beregn/", views.neighbour_compute, name="neighbour_compute"
    ),
    path("prosjekter/<int:pk>/naboliste/legg-til/", views.neighbour_add, name="neighbour_add"),
    path("prosjekter/<int:pk>/naboliste/csv/", views.neighbour_export, name="neighbour_export"),
    path(
        "prosjekter/<int:pk>/naboliste/<int:entry_pk>/fjern/",
        views.neighbour_remove,
        name="neighbour_remove",
    ),
    path(
        "prosjekter/<int:pk>/naboliste/<int:entry_pk>/tilbake/",
        views.neighbour_restore,
        name="neighbour_restore",
    ),
    # The stakeholder register (register/views.py).
    path("interessenter/", register_views.organisation_list, name="organisation_list"),
    path(
        "interessenter/organisasjoner/ny/",
        register_views.organisation_create,
        name="organisation_create",
    ),
    path(
        "interessenter/organisasjoner/<int:pk>/",
        register_views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "interessenter/organisasjoner/<int:pk>/rediger/",
        register_views.organisation_edit,
        name="organisation_edit",
    ),
    path("interessenter/personer/", register_views.person_list, name="person_list"),
    path("interessenter/personer/ny/", register_views.person_create, name="person_create"),
    path("interessenter/personer/<int:pk>/", register_views.person_detail, name="person_detail"),
    path(
        "interessenter/personer/<int:pk>/rediger/",
        register_views.person_edit,
        name="person_edit",
    ),
    path(
        "interessenter/personer/<int:pk>/slett/", register_views.person_erase, name="person_erase"
    ),
    path(
        "prosjekter/<int:pk>/kontaktlogg/",
        register_views.interaction_list,
        name="interaction_list",
    ),
    path(
        "prosjekter/<int:pk>/kontaktlogg/ny/",
        register_views.interaction_create,
        name="interaction_create",
    ),
    path(
        "prosjekter/<int:pk>/kontaktlogg/<int:interaction_pk>/",
        register_views.interaction_detail,
        name="interaction_detail",
    ),
    path("prosjekter/<int:pk>/interessentanalyse/", register_views.analysis, name="analysis"),
    path(
        "prosjekter/<int:pk>/interessentanalyse/ny/",
        register_views.assessment_create,
        name="assessment_create",
    ),
    # Place and process analyses, invitation letters (places/views.py).
    path("prosjekter/<int:pk>/stedsanalyse/", place_views.place_analysis, name="place_analysis"),
    path("prosjekter/<int:pk>/stedsanalyse/tekst/", place_views.place_text, name="place_text"),
    path(
        "prosjekter/<int:pk>/stedsanalyse/<str:kind>/ny/",
        place_views.place_item_add,
        name="place_item_add",
    ),
    path(
        "prosjekter/<int:pk>/stedsanalyse/<str:kind>/<int:item_pk>/slett/",
        place_views.place_item_delete,
        name="place_item_delete",
    ),
    path(
        "prosjekter/<int:pk>/stedsanalyse/godkjenn/",
        place_views.place_publish,
        name="place_publish",
    ),
    path(
        "prosjekter/<int:pk>/stedsanalyse/versjoner/<int:version>/",
        place_views.place_version,
        name="place_version",
    ),
    path(
        "prosjekter/<int:pk>/stedsanalyse/versjoner/<int:version>/pdf/",
        place_views.place_pdf,
        name="place_pdf",
    ),
    path("prosjekter/<int:pk>/naboliste/brev/", place_views.letters, name="letters"),
    path(
        "prosjekter/<int:pk>/naboliste/brev/<str:token>/",
        place_views.letters_run,
        name="letters_run",
    ),
    path(
        "prosjekter/<int:pk>/naboliste/brevmaler/ny/",
        place_views.letter_template_create,
        name="letter_template_create",
    ),
    path(
        "prosjekter/<int:pk>/naboliste/brevmaler/<int:template_pk>/",
        place_views.letter_template_edit,
        name="letter_template_edit",
    ),
    # The register as CSV and XLSX files (register/views.py).
    path("interessenter/import/", register_views.register_import, name="register_import"),
    path(
        "interessenter/eksport/<str:kind>.<str:fmt>",
        register_views.register_export,
        name="register_export",
    ),
]
