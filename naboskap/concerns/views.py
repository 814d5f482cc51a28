"""Staff case handling under /app/meldinger/. Every view fetches through concerns.access."""

import rules
from auditlog.models import LogEntry
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from naboskap.concerns import selectors, services
from naboskap.concerns.access import get_concern_for_user
from naboskap.concerns.forms import (
    AssignForm,
    ConcernMeasureForm,
    InboxFilterForm,
    MessageForm,
    TransitionForm,
    UnwantedEventForm,
)
from naboskap.concerns.models import Photo
from naboskap.concerns.workflow import Status
from naboskap.lib.http import form_status, posted
from naboskap.plans import services as plans
from naboskap.tenancy.access import staff_required
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import memberships_of, municipality_roles

PER_PAGE = 25


def _require_inbox(request: HttpRequest) -> None:
    if not rules.has_perm("concerns.use_inbox", request.user):
        raise PermissionDenied


def _filtered(request: HttpRequest, form: InboxFilterForm, concerns):
    if not form.is_valid():
        return concerns
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        concerns = concerns.filter(Q(reference__icontains=text) | Q(description__icontains=text))
    if data["status"]:
        concerns = concerns.filter(status=data["status"])
    for name in ("category", "project"):
        if data[name]:
            concerns = concerns.filter(**{name: data[name]})
    if data["unit"]:
        concerns = concerns.filter(assigned_unit=data["unit"])
    if data["overdue"]:
        concerns = concerns.filter(selectors.overdue_filter())
    if data["mine"]:
        concerns = concerns.filter(assigned_to=request.user)
    if data["police"]:
        concerns = concerns.filter(police_relevant=True)
    return concerns.order_by(data["sort"] or "-created_at", "-pk")


def _total_from_counts(form: InboxFilterForm, counts: dict[str, int]) -> int | None:
    """The number of concerns the inbox lists, when only the status narrows it."""
    if not form.is_valid():
        return sum(counts.values())
    data = form.cleaned_data
    if any(
        data[name] for name in ("q", "category", "project", "unit", "overdue", "mine", "police")
    ):
        return None
    return counts.get(data["status"], 0) if data["status"] else sum(counts.values())


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require_inbox(request)
    visible = selectors.concerns_for_user(request.user)
    memberships = memberships_of(request.user)
    form = InboxFilterForm(
        request.GET or None,
        municipality_ids={m.municipality_id for m in memberships},
        project_ids=visible.values("project_id"),
    )
    concerns = _filtered(request, form, visible).select_related(
        "project", "category", "assigned_unit", "assigned_to"
    )
    counts = selectors.counts_by_status(request.user)
    paginator = Paginator(concerns, PER_PAGE)
    total = _total_from_counts(form, counts)
    if total is not None:
        paginator.count = total  # known already: no COUNT(*) over every row
    page = paginator.get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "statuses": Status.choices,
        "overdue": set(
            concerns.filter(selectors.overdue_filter(), pk__in=[c.pk for c in page]).values_list(
                "pk", flat=True
            )
        ),
        "query": query.urlencode(),
        "assign_form": AssignForm(municipality=memberships[0].municipality),
        "can_configure": any(
            Role.ADMIN in municipality_roles(request.user, m.municipality_id) for m in memberships
        ),
    }
    return render(request, "concerns/inbox.html", context, status=form_status(form))


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    _require_inbox(request)
    ids = [int(pk) for pk in request.POST.getlist("concern") if pk.isdigit()]
    concerns = [get_concern_for_user(request.user, pk) for pk in ids]
    if not concerns:
        messages.error(request, _("Choose at least one concern."))
        return redirect("concerns:inbox")
    form = AssignForm(request.POST, municipality=concerns[0].municipality)
    if not form.is_valid() or any(
        c.municipality_id != concerns[0].municipality_id for c in concerns
    ):
        messages.error(request, _("The assignment could not be saved."))
        return redirect("concerns:inbox")
    for concern in concerns:
        services.concern_assign(
            concern=concern,
            unit=form.cleaned_data["unit"],
            handler=form.cleaned_data["handler"],
            by=request.user,
        )
    count = len(concerns)
    text = ngettext("%(count)d concern was assigned.", "%(count)d concerns were assigned.", count)
    messages.success(request, text % {"count": count})
    return redirect("concerns:inbox")


def _detail_context(request, concern, **forms):
    context = {
        "concern": concern,
        "can_see_contact": rules.has_perm("concerns.view_contact", request.user, concern),
        "history": concern.history.select_related("changed_by"),
        "similar": [
            c
            for c in selectors.similar_open(concern).select_related("category")
            if rules.has_perm("concerns.change_concern", request.user, c)
        ]
        if concern.is_open and concern.merged_into_id is None
        else [],
        "thread": concern.messages.select_related("author"),
        "photos": list(concern.photos.all()),
        "transition_form": TransitionForm(concern=concern),
        "message_form": MessageForm(),
        "assign_form": AssignForm(
            municipality=concern.municipality,
            initial={"unit": concern.assigned_unit, "handler": concern.assigned_to},
        ),
        "measures": concern.measures.select_related("owner_unit"),
        "event_form": UnwantedEventForm(
            project=concern.project, initial={"unwanted_event": concern.unwanted_event_id}
        ),
        "can_plan": rules.has_perm("plans.change_plan", request.user, concern.project),
        "can_mark_police": rules.has_perm("concerns.mark_police_relevant", request.user, concern),
        "measure_form": ConcernMeasureForm(
            municipality=concern.municipality, initial={"owner_unit": concern.assigned_unit}
        ),
    }
    if rules.has_perm("concerns.view_access_log", request.user, concern):
        context["access_log"] = (
            LogEntry.objects.get_for_object(concern)
            .filter(action=LogEntry.Action.ACCESS)
            .select_related("actor")
            .order_by("-timestamp")[:50]
        )
    context.update(forms)
    return context


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk, log_access=True)
    return render(request, "concerns/detail.html", _detail_context(request, concern))


@staff_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo attached to a concern, for those who may see the concern: never cached,
    never sniffed, shown in the browser."""
    concern = get_concern_for_user(request.user, pk)
    found = get_object_or_404(Photo, pk=photo_pk, concern=concern)
    try:
        file = found.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    form = TransitionForm(posted(request), concern=concern)
    if form.is_valid():
        try:
            services.concern_transition(
                concern=concern,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
                answer=form.cleaned_data["answer"],
                cancel_reason=form.cleaned_data["cancel_reason"],
            )
        except services.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The status was changed."))
            return redirect(concern)
    context = _detail_context(request, concern, transition_form=form)
    return render(request, "concerns/detail.html", context, status=400)


@require_POST
@staff_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    form = MessageForm(posted(request))
    if form.is_valid():
        body = form.cleaned_data["body"]
        if form.cleaned_data["internal"]:
            services.note_add(concern=concern, body=body, author=request.user)
            messages.success(request, _("The internal note was saved."))
        else:
            services.message_send(concern=concern, body=body, author=request.user)
            messages.success(request, _("The message was sent to the reporter."))
        return redirect(concern)
    context = _detail_context(request, concern, message_form=form)
    return render(request, "concerns/detail.html", context, status=400)


@require_POST
@staff_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure on the project's plan, with this concern as its source."""
    concern = get_concern_for_user(request.user, pk)
    if not rules.has_perm("plans.change_plan", request.user, concern.project):
        raise PermissionDenied
    form = ConcernMeasureForm(posted(request), municipality=concern.municipality)
    if form.is_valid():
        try:
            measure = plans.measure_create(
                project=concern.project,
                created_by=request.user,
                concern=concern,
                **form.cleaned_data,
            )
        except plans.PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The measure “%(title)s” is on the project's plan.") % {"title": measure.title},
            )
            return redirect(concern)
    context = _detail_context(request, concern, measure_form=form)
    return render(request, "concerns/detail.html", context, status=400)


@require_POST
@staff_required
def link_event(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    form = UnwantedEventForm(posted(request), project=concern.project)
    if form.is_valid():
        services.concern_link_event(
            concern=concern, unwanted_event=form.cleaned_data["unwanted_event"]
        )
        messages.success(request, _("The link to the risk analysis was saved."))
        return redirect(concern)
    context = _detail_context(request, concern, event_form=form)
    return render(request, "concerns/detail.html", context, status=400)


@require_POST
@staff_required
def police_relevant(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the concern as relevant for the police (it then counts in the situation picture)."""
    concern = get_concern_for_user(request.user, pk)
    if not rules.has_perm("concerns.mark_police_relevant", request.user, concern):
        raise PermissionDenied
    relevant = request.POST.get("relevant", "")
    if relevant not in {"0", "1"}:
        messages.error(request, _("Choose whether the concern is relevant for the police."))
        context = _detail_context(request, concern)
        return render(request, "concerns/detail.html", context, status=400)
    services.concern_mark_police_relevant(
        concern=concern, relevant=relevant == "1", by=request.user
    )
    if concern.police_relevant:
        text = _(
            "The concern is marked as relevant for the police. The police see it only as a "
            "count in the situation picture, never its text or who reported it."
        )
    else:
        text = _("The concern is no longer marked as relevant for the police.")
    messages.success(request, text)
    return redirect(concern)


@require_POST
@staff_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    form = AssignForm(posted(request), municipality=concern.municipality)
    if form.is_valid():
        services.concern_assign(
            concern=concern,
            unit=form.cleaned_data["unit"],
            handler=form.cleaned_data["handler"],
            by=request.user,
        )
        messages.success(request, _("The concern was assigned."))
        if rules.has_perm("concerns.view_concern", request.user, concern):
            return redirect(concern)
        return redirect("concerns:inbox")
    context = _detail_context(request, concern, assign_form=form)
    return render(request, "concerns/detail.html", context, status=400)


@require_POST
@staff_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this concern (a duplicate) into another one the user also handles."""
    duplicate = get_concern_for_user(request.user, pk)
    into_pk = request.POST.get("into", "")
    into = get_concern_for_user(request.user, int(into_pk)) if into_pk.isdigit() else None
    if into is None:
        messages.error(request, _("Choose the concern to merge into."))
        return redirect(duplicate)
    try:
        services.concern_merge(duplicate=duplicate, into=into, by=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(duplicate)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(into)s. Its reporter gets the answers given there.")
        % {"duplicate": duplicate.reference, "into": into.reference},
    )
    return redirect(into)
