from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "naboskap.plans"
    verbose_name = _("Action and collaboration plan")
