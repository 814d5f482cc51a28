"""The catalogue of what worked: /app/hva-virker/ (ADR 0034).

Across the municipality's projects, the measures that are done and have an observed effect,
grouped by what they address, searchable and paginated in the database. When the
municipality shares (`Settings.share_across`), a second tab shows the other sharing
municipalities' measures, anonymised (see `selectors`)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from naboskap.lib.breadcrumbs import my_projects_trail
from naboskap.lib.http import form_status
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.whatworks import selectors

VIEW = "whatworks.view_catalogue"
PAGE_SIZE = 50


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A measure's title, a concern category or an unwanted event."),
    )
    category = forms.ChoiceField(label=gettext_lazy("Concern category"), required=False)

    def __init__(self, *args, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(labels.items(), key=lambda item: item[1].casefold())
        self.fields["category"].choices = [("", _("All categories")), *choices]

    def value(self, name: str) -> str:
        """A valid filter's value, else "" (an invalid filter filters nothing)."""
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


@staff_required
def catalogue(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, VIEW)
    labels = selectors.category_labels(municipality)
    form = CatalogueFilterForm(request.GET or None, labels=labels)
    shares = selectors.shares(municipality)
    scope = selectors.SHARED if shares and request.GET.get("scope") == "shared" else selectors.OWN
    q, category = form.value("q").strip(), form.value("category")
    effects = selectors.catalogue(municipality, scope=scope, q=q, category=category, labels=labels)
    page = Paginator(effects, PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "form": form,
        "page": page,
        "items": selectors.items(
            page.object_list,
            user=request.user,
            municipality=municipality,
            labels=labels,
            category=category,
        ),
        "query": query.urlencode(),
        "scope": scope,
        "shares": shares,
        "filtered": bool(q or category),
        "can_change_settings": request.user.has_perm("whatworks.change_settings", municipality),
        "breadcrumbs": my_projects_trail(_("What works")),
    }
    return render(request, "whatworks/catalogue.html", context, status=form_status(form))
