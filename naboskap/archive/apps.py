from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "naboskap.archive"
    verbose_name = _("Archive")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from naboskap.archive import services
        from naboskap.lib import start_page
        from naboskap.lib.events import happened

        happened.connect(services.event_happened, dispatch_uid="archive.event_happened")
        start_page.asked.connect(services.start_page_items, dispatch_uid="archive.start_page")
