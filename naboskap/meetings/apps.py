from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "naboskap.meetings"
    verbose_name = _("Meetings and councils")

    def ready(self) -> None:
        from naboskap.meetings.services import email_mark_bounced
        from naboskap.outbox.signals import address_bounced

        def bounced(sender, *, address: str, reason: str, **kwargs) -> None:
            email_mark_bounced(email=address, note=reason)

        address_bounced.connect(bounced, weak=False, dispatch_uid="meetings-bounced")
