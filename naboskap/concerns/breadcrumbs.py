"""The concern pages' breadcrumb trails (see naboskap.lib.breadcrumbs)."""

from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import Trail, link, section_trail


def concerns_trail(*more) -> Trail:
    """My projects › Concerns › …"""
    return section_trail(_("Concerns"), "concerns:inbox", *more)


def settings_trail(*more) -> Trail:
    """My projects › Concerns › Settings for concerns › …"""
    return concerns_trail(link(_("Settings for concerns"), "concerns:settings"), *more)
