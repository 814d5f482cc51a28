from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "naboskap.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from naboskap.search.functions import connect_casefold

        connection_created.connect(connect_casefold, dispatch_uid="naboskap.search.casefold")
