"""The administration pages' breadcrumb trails (see naboskap.lib.breadcrumbs)."""

from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import Trail, my_projects_trail, section_trail


def users_trail(*more) -> Trail:
    """My projects › Users › …"""
    return section_trail(_("Users"), "administration:users", *more)


def units_trail(*more) -> Trail:
    """My projects › Units › …"""
    return section_trail(_("Units"), "administration:units", *more)


def log_trail() -> Trail:
    """My projects › Log of changes"""
    return my_projects_trail(_("Log of changes"))


def profile_trail() -> Trail:
    """My projects › My profile"""
    return my_projects_trail(_("My profile"))
