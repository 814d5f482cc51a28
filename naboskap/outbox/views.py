"""The administrator's view of the outbox (`/app/administrasjon/e-post/`): what failed and
why, what waits, and sending again."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from naboskap.lib.breadcrumbs import my_projects_trail
from naboskap.outbox import services
from naboskap.outbox.kinds import label
from naboskap.outbox.models import Email
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.administration.access import MANAGE

PAGE_SIZE = 50
SHOWN = {
    "failed": [Email.Status.FAILED],
    "waiting": [Email.Status.QUEUED, Email.Status.SENDING],
    "dropped": [Email.Status.DROPPED],
}


def masked(address: str) -> str:
    """An address as the list shows it: enough to recognise, not to copy (n•••@example.org)."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def masked_text(text: str) -> str:
    """A mail server's answer with every address in it masked (it often quotes the address)."""
    return ADDRESS.sub(lambda match: masked(match.group()), text)


@staff_required
def emails(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    shown = request.GET.get("vis", "failed")
    if shown not in SHOWN:
        shown = "failed"
    listed = Email.objects.filter(municipality=municipality, status__in=SHOWN[shown]).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("side"))
    rows = [
        {
            "email": email,
            "kind": label(email.kind),
            "to": masked(email.to),
            "reason": masked_text(email.last_error),
        }
        for email in page
    ]
    counts = services.counts_by_status(municipality)
    context = {
        "municipality": municipality,
        "breadcrumbs": my_projects_trail(_("Emails")),
        "shown": shown,
        "page": page,
        "rows": rows,
        "failed": counts.get(Email.Status.FAILED, 0),
        "waiting": counts.get(Email.Status.QUEUED, 0) + counts.get(Email.Status.SENDING, 0),
        "sent": counts.get(Email.Status.SENT, 0),
        "dropped": counts.get(Email.Status.DROPPED, 0),
        "query": f"vis={shown}",
    }
    return render(request, "outbox/emails.html", context)


@staff_required
@require_POST
def retry(request: HttpRequest, email_pk: int | None = None) -> HttpResponse:
    """Send one failed email again, or every failed email of the municipality."""
    municipality = get_staff_municipality(request, MANAGE)
    chosen = Email.objects.filter(municipality=municipality)
    if email_pk is not None:
        chosen = chosen.filter(pk=get_object_or_404(chosen, pk=email_pk).pk)
    count = services.retry(chosen)
    messages.success(
        request,
        ngettext(
            "%(count)d email will be sent again.", "%(count)d emails will be sent again.", count
        )
        % {"count": count},
    )
    return redirect("outbox:emails")


@staff_required
@require_POST
def drop(request: HttpRequest, email_pk: int) -> HttpResponse:
    """Never send this email (waiting or failed)."""
    municipality = get_staff_municipality(request, MANAGE)
    email = get_object_or_404(Email, pk=email_pk, municipality=municipality)
    services.drop(Email.objects.filter(pk=email.pk))
    messages.success(request, _("The email will not be sent."))
    return redirect("outbox:emails")
