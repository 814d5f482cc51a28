"""The staff start page ("I dag", issue 18)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from naboskap.insights.home import home_for
from naboskap.tenancy.access import get_staff_municipality, staff_required


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user today, in the municipality they work in now."""
    municipality = get_staff_municipality(request)
    if municipality is None:
        raise Http404
    context = {"home": home_for(request.user, municipality), "work_municipality": municipality}
    return render(request, "insights/home/home.html", context)
