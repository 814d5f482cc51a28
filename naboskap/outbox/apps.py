from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "naboskap.outbox"
    verbose_name = _("Outbox")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from naboskap.lib.metrics import register_gauge
        from naboskap.outbox.metrics import emails

        register_gauge(
            "naboskap_emails",
            "Emails in the outbox, by kind and status (queued, sending, sent, failed, dropped).",
            ["kind", "status"],
            emails,
        )
