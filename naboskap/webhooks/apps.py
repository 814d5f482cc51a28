from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "naboskap.webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from naboskap.lib.events import happened
        from naboskap.webhooks import services

        happened.connect(services.event_happened, dispatch_uid="webhooks.event_happened")
