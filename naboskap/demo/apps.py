from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: a fictional municipality with one project per seed example."""

    name = "naboskap.demo"
    verbose_name = "Demo data"
