"""Short addresses printed on letters: `/n/<code>/` leads to the page the letter is about."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from naboskap.portal.views import current_municipality, public_read
from naboskap.projects import services


@public_read
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """Redirect to the short link's target; an unknown or expired code gets a page saying so
    (404), with what to check on the letter."""
    municipality = current_municipality(request)
    link = services.short_link_resolve(municipality=municipality, code=code)
    if link is None:
        context = {"code": code[:20], "municipality": municipality}
        return render(request, "portal/short_link_unknown.html", context, status=404)
    response = redirect(request.path.removesuffix(request.path_info) + link.target)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
