from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilityConfig(AppConfig):
    name = "naboskap.facility"
    verbose_name = _("Caretaker rounds and incident log")
