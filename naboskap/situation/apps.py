from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SituationConfig(AppConfig):
    name = "naboskap.situation"
    verbose_name = _("Situation picture with the police")
