from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatWorksConfig(AppConfig):
    name = "naboskap.whatworks"
    verbose_name = _("What works")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from naboskap.lib import start_page
        from naboskap.lib.events import happened
        from naboskap.whatworks import receivers

        happened.connect(receivers.event_happened, dispatch_uid="whatworks.event_happened")
        start_page.asked.connect(receivers.start_page_items, dispatch_uid="whatworks.start_page")
