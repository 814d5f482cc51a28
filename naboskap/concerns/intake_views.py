"""Staff register a concern received by phone, letter, at the front desk, by email, through a
politician or the police, or seen by a caretaker (/app/meldinger/ny/).

The concern goes through the same operation as the public form (`services.concern_submit`):
the same categories, routing, deadlines and reference, with `intake_channel` and
`registered_by` set. The reporter gets the receipt by email when they gave an address, or a
printable receipt letter (PDF/A) with the short follow-up address, its code and a QR code.
"""

from __future__ import annotations

import secrets

import rules
from auditlog.signals import accessed
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from naboskap.concerns import services
from naboskap.concerns.breadcrumbs import concerns_trail
from naboskap.concerns.forms import IntakeForm, submission
from naboskap.concerns.models import Category, Concern
from naboskap.concerns.rules import HANDLER_ROLES
from naboskap.lib.http import form_status, posted
from naboskap.lib.pdf import render_pdf
from naboskap.projects.models import Project
from naboskap.projects.templatetags.letters import typed_address
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import municipality_url

REGISTER = "concerns.register_concern"


def _choices(user, municipality) -> tuple[list[Project], list[Category]]:
    """The projects the user works with (all the municipality's for a municipality-wide role
    or a unit's case handler; only their own for project staff), and the active categories."""
    memberships = [
        m
        for m in memberships_of(user)
        if m.municipality_id == municipality.pk
        and (m.role in HANDLER_ROLES or m.role == Role.CASE_HANDLER)
    ]
    projects = Project.objects.filter(municipality=municipality)
    if not any(m.project_id is None for m in memberships):
        projects = projects.filter(pk__in=[m.project_id for m in memberships])
    if not Category.objects.filter(municipality=municipality).exists():
        services.categories_ensure_defaults(municipality=municipality)
    categories = Category.objects.filter(municipality=municipality, active=True)
    return (
        list(projects.select_related("municipality", "responsible_unit").order_by("name")),
        list(categories.select_related("default_unit")),
    )


@staff_required
def intake(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, REGISTER)
    projects, categories = _choices(request.user, municipality)
    form = IntakeForm(
        posted(request),
        initial={"idempotency_key": "staff-" + secrets.token_urlsafe(24)},
        projects=projects,
        categories=categories,
        municipality=municipality,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        concern, created = services.concern_submit(
            municipality=municipality,
            **submission(data),
            reporter_address=data["reporter_address"],
            language=data["language"],
            intake_channel=data["intake_channel"],
            registered_by=request.user,
        )
        if created:
            messages.success(
                request,
                _("The concern is registered with the reference %(reference)s.")
                % {"reference": concern.reference},
            )
        else:
            messages.info(
                request,
                _("This concern was already registered: reference %(reference)s.")
                % {"reference": concern.reference},
            )
        return redirect("concerns:intake_done", pk=concern.pk)
    context = {
        "form": form,
        "municipality": municipality,
        "breadcrumbs": concerns_trail(_("Register a concern")),
    }
    return render(request, "concerns/intake.html", context, status=form_status(form))


def _registered_concern(request: HttpRequest, pk: int) -> Concern:
    """A concern the user may see, or one they registered themselves (it may have been
    routed to a unit they cannot see): 404 otherwise."""
    municipality = get_staff_municipality(request)
    concern = (
        Concern.objects.select_related("municipality", "project", "category")
        .filter(pk=pk, municipality=municipality)
        .first()
    )
    if concern is None:
        raise Http404
    registered_here = concern.registered_by_id == request.user.pk and rules.has_perm(
        REGISTER, request.user, municipality
    )
    if not (registered_here or rules.has_perm("concerns.view_concern", request.user, concern)):
        raise Http404
    return concern


def short_address(concern: Concern) -> str:
    """The short follow-up address as a person types it: host and path, no scheme."""
    return typed_address(concern.municipality, concern.get_short_url())


@staff_required
def intake_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The reference, and how the reporter gets the receipt."""
    concern = _registered_concern(request, pk)
    context = {
        "concern": concern,
        "short_address": short_address(concern),
        "can_open": rules.has_perm("concerns.view_concern", request.user, concern),
        "breadcrumbs": concerns_trail(
            _("Concern %(reference)s registered") % {"reference": concern.reference}
        ),
    }
    return render(request, "concerns/intake_done.html", context)


@staff_required
def receipt_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable receipt letter (PDF/A) in the reporter's language: the reference, what
    happens next and by when, the short follow-up address with its code, and a QR code."""
    concern = _registered_concern(request, pk)
    accessed.send(sender=Concern, instance=concern)  # the letter shows the contact details
    follow_up = municipality_url(concern.municipality, concern.get_follow_up_url())
    language = concern.language if concern.language in {"nb", "nn", "en"} else "nb"
    with translation.override(language):
        context = {
            "concern": concern,
            "municipality": concern.municipality,
            "short_address": short_address(concern),
            "follow_up": follow_up,
        }
        content = render_pdf("concerns/receipt_letter_pdf.html", context, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kvittering-{concern.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
