"""Breadcrumb trails for staff and public pages.

A view builds its trail with these helpers and puts it in its context as ``breadcrumbs``;
the page renders it with ``{% include "includes/breadcrumbs.html" %}``. Every project page's
trail starts the same way: My projects › the project › the section › … › the current page.
The last crumb is the current page: it has no link and is marked ``aria-current="page"``.
"""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext as _


class Crumb(NamedTuple):
    label: str
    url: str | None = None


class Trail(list):
    """A list of crumbs; ``back`` is the last one with a link (Designsystemet shows it alone,
    as a back link, on narrow screens)."""

    @property
    def back(self) -> Crumb | None:
        linked = [crumb for crumb in self if crumb.url]
        return linked[-1] if linked else None

    @property
    def current(self) -> str:
        """The current page's label (the last crumb, without a link), or ""."""
        return self[-1].label if self and not self[-1].url else ""


CrumbLike = Crumb | tuple | str | None


def _crumb(item: CrumbLike) -> Crumb | None:
    if item is None or item == "":
        return None
    if isinstance(item, Crumb):
        return item
    if isinstance(item, tuple):
        return Crumb(str(item[0]), item[1] if len(item) > 1 else None)
    return Crumb(str(item))


def trail(*items: CrumbLike) -> Trail:
    """A trail of (label, url) pairs; a bare label is a crumb without a link (the current
    page), and None is left out, so optional levels can be written inline."""
    return Trail(crumb for crumb in map(_crumb, items) if crumb is not None)


def link(label: str, url_name: str, *args) -> Crumb:
    """A crumb to a named URL."""
    return Crumb(str(label), reverse(url_name, args=args))


def to(obj, label: str | None = None) -> Crumb:
    """A crumb to an object's own page (its get_absolute_url), labelled with its name."""
    return Crumb(str(obj) if label is None else str(label), obj.get_absolute_url())


def my_projects_trail(*more: CrumbLike) -> Trail:
    """My projects › …: pages above or beside a single project (municipality-wide lists)."""
    return trail(link(_("My projects"), "projects:my_projects"), *more)


def section_trail(label: str, url_name: str, *more: CrumbLike) -> Trail:
    """My projects › a municipality-wide section (a list) › …: the section's crumb links to its
    list when a page below it is current, and is the current page on the list itself."""
    return my_projects_trail(link(label, url_name) if more else str(label), *more)


def project_trail(project, *more: CrumbLike) -> Trail:
    """My projects › the project › …: every page inside a project."""
    home = Crumb(project.name, reverse("projects:detail", args=[project.pk]))
    return my_projects_trail(home, *more)


def public_trail(project, *more: CrumbLike) -> Trail:
    """Housing projects › the project › …: the public pages of a project."""
    home = Crumb(project.name, reverse("portal:project", args=[project.slug]))
    return trail(link(_("Housing projects"), "portal:home"), home, *more)
