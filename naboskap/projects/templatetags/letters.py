"""What every printed letter carries so it can be acted on from a phone: the page it is about
as a QR code and a short address to type, and the project's own web address."""

from urllib.parse import urlsplit

import segno
from django import template

from naboskap.projects import services
from naboskap.tenancy.selectors import municipality_url

register = template.Library()


def typed_address(municipality, path: str) -> str:
    """An address as a person types it: host and path, no scheme, no trailing slash."""
    url = urlsplit(municipality_url(municipality, path))
    return f"{url.netloc}{url.path}".rstrip("/")


def short_address(link) -> str:
    """A short link's address as a person types it."""
    return typed_address(link.municipality, link.get_absolute_url())


def letter_qr(url: str) -> str:
    """A QR code for a letter or a code slip: a PNG data URI (an image in the PDF, which
    draws PNG images about twice as fast as SVG; the stylesheet sizes it to about 3 cm)."""
    return segno.make(url, error="m").png_data_uri(scale=4, border=2)


@register.inclusion_tag("projects/includes/letter_links.html")
def letter_links(
    project=None,
    *,
    municipality=None,
    target: str = "",
    expires_at=None,
    qr_url: str = "",
    code: str = "",
    address: str = "",
):
    """The QR code and short address for `target` (a path; the project's public page when
    empty), and the project's short web address when the target is another page. `qr_url`
    lets the QR code carry more than the short address (such as a survey code), and `code` is
    printed below the address for the reader to type. An `address` already short enough to
    type (a concern's `/m/<reference>/`) is printed as it is, with no short link made."""
    municipality = municipality or project.municipality
    project_link = None
    if project is not None and getattr(project, "is_public", True):
        project_link = services.short_link_for(
            municipality=municipality, target=project.get_public_url()
        )
    if address:
        return {
            "link": True,
            "short_address": address,
            "qr": letter_qr(qr_url),
            "code": code,
            "project": project,
            "project_address": short_address(project_link) if project_link else "",
            "same_page": False,
        }
    if target:
        link = services.short_link_for(
            municipality=municipality, target=target, expires_at=expires_at
        )
    else:
        link = project_link
    if link is None:
        return {"link": None}
    full = municipality_url(municipality, link.get_absolute_url())
    return {
        "link": link,
        "short_address": short_address(link),
        "qr": letter_qr(qr_url or full),
        "code": code,
        "project": project,
        "project_address": short_address(project_link) if project_link else "",
        "same_page": project_link is not None and project_link.pk == link.pk,
    }
