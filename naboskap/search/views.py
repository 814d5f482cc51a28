"""Staff search (issue 18): one box across what the user may open (see `selectors`)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from naboskap.lib.breadcrumbs import my_projects_trail
from naboskap.search import selectors
from naboskap.tenancy.access import get_staff_municipality, staff_required


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """Results for `?q=`, in the municipality the user works in now."""
    municipality = get_staff_municipality(request, "search.use_search")
    typed = request.GET.get("q")
    context = {
        "query": (typed or "").strip()[: selectors.MAX_LENGTH],
        "results": None,
        "breadcrumbs": my_projects_trail(_("Search")),
    }
    if typed is not None:
        try:
            text = selectors.clean_query(typed)
        except selectors.QueryError as error:
            context["error"] = str(error)
        else:
            context["results"] = selectors.search_for(request.user, municipality, text)
    return render(request, "search/search.html", context)
