"""The municipality administrator's settings for concerns: categories with their deadlines,
routing rules and the retention policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.concerns import services
from naboskap.concerns.breadcrumbs import concerns_trail, settings_trail
from naboskap.concerns.forms import CategoryForm, PolicyForm, RoutingRuleForm
from naboskap.concerns.models import Category, RoutingRule
from naboskap.lib.http import form_status, posted
from naboskap.tenancy.access import get_staff_municipality, staff_required

CONFIGURE = "concerns.configure"


def _page(request, municipality, status=200, **forms) -> HttpResponse:
    services.categories_ensure_defaults(municipality=municipality)
    policy = services.policy_for(municipality)
    context = {
        "municipality": municipality,
        "categories": Category.objects.filter(municipality=municipality).select_related(
            "default_unit"
        ),
        "rules": RoutingRule.objects.filter(municipality=municipality)
        .select_related("category", "project", "unit")
        .order_by("category__position", "category__name", "project__name"),
        "rule_form": RoutingRuleForm(municipality=municipality),
        "policy_form": PolicyForm(
            initial={
                "erase_contact_after_days": policy.erase_contact_after_days,
                "delete_after_years": policy.delete_after_years,
                "default_unit": policy.default_unit_id,
            },
            municipality=municipality,
        ),
        "breadcrumbs": concerns_trail(_("Settings for concerns")),
        **forms,
    }
    return render(request, "concerns/settings.html", context, status=status)


@staff_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return _page(request, get_staff_municipality(request, CONFIGURE))


@staff_required
def category_edit(request: HttpRequest, category_pk: int | None = None) -> HttpResponse:
    municipality = get_staff_municipality(request, CONFIGURE)
    category = None
    if category_pk is not None:
        category = get_object_or_404(Category, pk=category_pk, municipality=municipality)
    form = CategoryForm(posted(request), instance=category, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        services.category_save(category=form.instance)
        messages.success(request, _("The category was saved."))
        return redirect("concerns:settings")
    context = {
        "form": form,
        "category": category,
        "breadcrumbs": settings_trail(
            _("Category: %(name)s") % {"name": category.label} if category else _("New category")
        ),
    }
    return render(request, "concerns/category_form.html", context, status=form_status(form))


@require_POST
@staff_required
def rule_add(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, CONFIGURE)
    form = RoutingRuleForm(posted(request), municipality=municipality)
    if not form.is_valid():
        return _page(request, municipality, status=400, rule_form=form)
    services.routing_rule_add(**form.cleaned_data)
    messages.success(request, _("The routing rule was saved."))
    return redirect("concerns:settings")


@require_POST
@staff_required
def rule_delete(request: HttpRequest, rule_pk: int) -> HttpResponse:
    municipality = get_staff_municipality(request, CONFIGURE)
    rule = get_object_or_404(RoutingRule, pk=rule_pk, municipality=municipality)
    services.routing_rule_delete(rule=rule)
    messages.success(request, _("The routing rule was removed."))
    return redirect("concerns:settings")


@require_POST
@staff_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, CONFIGURE)
    form = PolicyForm(posted(request), municipality=municipality)
    if not form.is_valid():
        return _page(request, municipality, status=400, policy_form=form)
    services.policy_save(municipality=municipality, **form.cleaned_data)
    messages.success(request, _("The retention rules were saved."))
    return redirect("concerns:settings")
