from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "naboskap.maps"
    verbose_name = "Maps"
