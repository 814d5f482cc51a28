from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "naboskap.tenancy"
    verbose_name = _("Municipalities and roles")

    def ready(self):
        # Connects the receiver that counts TOTP enrolment as a two-step check.
        from naboskap.tenancy import access  # noqa: F401
