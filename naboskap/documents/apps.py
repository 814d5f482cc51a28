from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "naboskap.documents"
    verbose_name = _("Stored documents")

    def ready(self) -> None:
        # Each app that has documents declares their kinds in its `documents.py`.
        autodiscover_modules("documents")
