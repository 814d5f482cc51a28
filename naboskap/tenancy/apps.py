from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    default = True
    name = "naboskap.tenancy"
    verbose_name = _("Municipalities and roles")

    def ready(self):
        # Connects the receiver that counts TOTP enrolment as a two-step check.
        from naboskap.tenancy import access, checks, mfa, sessions  # noqa: F401


class NaboskapAdminConfig(admin_apps.AdminConfig):
    """Django's admin with Naboskap's site: the two-step login applies to it too."""

    default = False
    default_site = "naboskap.tenancy.admin_site.NaboskapAdminSite"
