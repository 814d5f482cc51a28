"""Staff search (issue 18): one box across what the user may open (see `selectors`)."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from naboskap.search import selectors
from naboskap.tenancy.access import staff_required
from naboskap.tenancy.selectors import staff_municipality


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """Results for `?q=`, in the municipality the user works in now."""
    if not rules.has_perm("search.use_search", request.user):
        raise PermissionDenied
    municipality = staff_municipality(request)
    if municipality is None:
        raise Http404
    typed = request.GET.get("q")
    context = {"query": (typed or "").strip()[: selectors.MAX_LENGTH], "results": None}
    if typed is not None:
        try:
            text = selectors.clean_query(typed)
        except selectors.QueryError as error:
            context["error"] = str(error)
        else:
            context["results"] = selectors.search_for(request.user, municipality, text)
    return render(request, "search/search.html", context)
