from django.urls import path

from naboskap.concerns import answer_views, intake_views, map_views, settings_views, views

app_name = "concerns"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("kart/", map_views.concern_map, name="map"),
    path("kart/lag.geojson", map_views.concern_map_layer, name="map_layer"),
    path("innstillinger/", settings_views.settings_page, name="settings"),
    path("innstillinger/kategorier/ny/", settings_views.category_edit, name="category_create"),
    path(
        "innstillinger/kategorier/<int:category_pk>/",
        settings_views.category_edit,
        name="category_edit",
    ),
    path("innstillinger/ruting/", settings_views.rule_add, name="rule_add"),
    path(
        "innstillinger/ruting/<int:rule_pk>/slett/",
        settings_views.rule_delete,
        name="rule_delete",
    ),
    path("innstillinger/oppbevaring/", settings_views.policy_edit, name="policy_edit"),
    # Standard answers (issue 16): the municipality administrator's ready-made texts.
    path("innstillinger/standardsvar/", answer_views.answer_list, name="answer_list"),
    path("innstillinger/standardsvar/ny/", answer_views.answer_edit, name="answer_create"),
    path(
        "innstillinger/standardsvar/<int:answer_pk>/",
        answer_views.answer_edit,
        name="answer_edit",
    ),
    path(
        "innstillinger/standardsvar/<int:answer_pk>/trekk-tilbake/",
        answer_views.answer_retire,
        name="answer_retire",
    ),
    path("tildel/", views.bulk_assign, name="bulk_assign"),
    # Intake by staff (phone, letter, front desk …) and the receipt letter.
    path("ny/", intake_views.intake, name="intake"),
    path("ny/<int:pk>/", intake_views.intake_done, name="intake_done"),
    path("<int:pk>/kvittering.pdf", intake_views.receipt_letter, name="receipt_letter"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bilder/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/melding/", views.message, name="message"),
    path("<int:pk>/notat/", views.note, name="note"),
    path("<int:pk>/tildel/", views.assign, name="assign"),
    path("<int:pk>/slaa-sammen/", views.merge, name="merge"),
    path("<int:pk>/tiltak/", views.measure_create, name="measure_create"),
    path("<int:pk>/hendelse/", views.link_event, name="link_event"),
    path("<int:pk>/politi/", views.police_relevant, name="police_relevant"),
]
