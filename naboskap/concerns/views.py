"""Staff case handling under /app/meldinger/. Every view fetches through concerns.access."""

import rules
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.concerns import placeholders, selectors, services
from naboskap.concerns.access import CHANGE, get_concern_for_user, log_access
from naboskap.concerns.breadcrumbs import concerns_trail
from naboskap.concerns.forms import (
    AssignForm,
    ConcernMeasureForm,
    InboxFilterForm,
    MessageForm,
    NoteForm,
    TransitionForm,
    UnwantedEventForm,
)
from naboskap.concerns.models import Photo, StandardAnswer
from naboskap.concerns.workflow import OPEN, Status
from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.maps.layers import map_spec, point
from naboskap.plans import services as plans
from naboskap.projects.selectors import projects_for_user
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.models import Role, Unit
from naboskap.tenancy.rules import municipality_roles

PER_PAGE = 25


USE_INBOX = "concerns.use_inbox"


def _inbox_params(request: HttpRequest):
    """The inbox's query. Older links (`overdue=on`, `mine=on`, in emails already sent and
    in bookmarks) open the views they became."""
    params = request.GET.copy()
    for legacy in ("overdue", "mine"):
        if params.pop(legacy, None) and not params.get("view"):
            params["view"] = legacy
    return params


def _filtered(request: HttpRequest, form: InboxFilterForm, concerns):
    """The inbox's cases: open ones unless closed or all are asked for, or a status."""
    if not form.is_valid():
        return concerns.filter(status__in=OPEN).order_by("-created_at", "-pk")
    data = form.cleaned_data
    return selectors.inbox_filter(concerns, data, request.user).order_by(
        data["sort"] or "-created_at", "-pk"
    )


def _total_from_counts(form: InboxFilterForm, counts: dict, views: dict) -> int | None:
    """The number of concerns the inbox lists, when the cached counts tell it (no COUNT(*)
    over every row): only a status, open/closed, or one view narrows it. The counts are
    as fresh as the list (every write through the services moves their version on, and the
    views' are per day)."""
    open_total = sum(counts.get(status, 0) for status in OPEN)
    if not form.is_valid():
        return open_total
    data = form.cleaned_data
    if any(data[name] for name in ("q", "category", "project", "unit", "police")):
        return None
    if data["view"]:  # every view holds open cases only
        if data["status"]:
            return None
        return 0 if data["show"] == "closed" else views[data["view"]]
    if data["status"]:
        return counts.get(data["status"], 0)
    if data["show"] == "all":
        return sum(counts.values())
    if data["show"] == "closed":
        return sum(counts.values()) - open_total
    return open_total


def _is_overdue(concern, today) -> bool:
    """`selectors.overdue_filter` for a loaded row (no query)."""
    return concern.status in OPEN and (
        concern.answer_due < today
        or (concern.acknowledged_at is None and concern.acknowledge_due < today)
    )


def _view_links(params, views: dict) -> list[dict]:
    """The one-click views, each a link keeping the other filters, with its count."""
    labels = dict(InboxFilterForm.VIEWS)
    links = []
    for view in ("", *selectors.VIEWS):
        query = params.copy()
        query.pop("side", None)
        query.pop("view", None)
        if view:
            query["view"] = view
        links.append(
            {
                "view": view,
                "label": labels[view],
                "count": views.get(view) if view else None,
                "current": params.get("view", "") == view,
                "query": query.urlencode(),
            }
        )
    return links


def _inbox_page(request: HttpRequest, *, bulk_form=None, selected=(), status=None):
    municipality = get_staff_municipality(request)
    params = _inbox_params(request)
    visible = selectors.concerns_for_user(request.user, municipality)
    # Both the filter and the bulk assignment choose among the units: loaded once.
    units = list(Unit.objects.filter(municipality=municipality).order_by("name", "pk"))
    form = InboxFilterForm(
        params or None,
        municipality_ids={municipality.pk},
        # The projects the user reaches (not a scan of every concern for the ones in use).
        project_ids=projects_for_user(request.user, municipality).values("pk"),
        units=units,
    )
    concerns = _filtered(request, form, visible).select_related(
        "project", "category", "assigned_unit", "assigned_to"
    )
    counts, views = selectors.inbox_counts(request.user, municipality)
    paginator = Paginator(concerns, PER_PAGE)
    total = _total_from_counts(form, counts, views)
    if total is not None:
        paginator.count = total  # known already: no COUNT(*) over every row
    page = paginator.get_page(params.get("side"))
    rows = list(page.object_list)
    log_access(rows, seen="inbox")  # each row shows a summary of what the reporter wrote
    query = params.copy()
    query.pop("side", None)
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": counts,
        "statuses": Status.choices,
        "views": _view_links(params, views),
        "overdue": {concern.pk for concern in rows if _is_overdue(concern, today)},
        "query": query.urlencode(),
        "assign_form": bulk_form
        or AssignForm(
            prefix="bulk",
            municipality=municipality,
            concerns=rows,
            units=[unit for unit in units if unit.retired_at is None],
        ),
        "selected": set(selected),
        "can_configure": Role.ADMIN in municipality_roles(request.user, municipality.pk),
        "breadcrumbs": concerns_trail(),
    }
    return render(request, "concerns/inbox.html", context, status=status or form_status(form))


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    get_staff_municipality(request, USE_INBOX)
    return _inbox_page(request)


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the concerns ticked in the inbox. A handler who cannot handle one of them
    assigns none: the inbox comes back with the ticks and the choice kept, and why."""
    get_staff_municipality(request, USE_INBOX)
    back = redirect(f"{reverse('concerns:inbox')}?{request.GET.urlencode()}".rstrip("?"))
    ids = [int(pk) for pk in request.POST.getlist("concern") if pk.isdigit()]
    concerns = [get_concern_for_user(request.user, pk, CHANGE) for pk in ids]
    if not concerns:
        messages.error(request, _("Choose at least one concern."))
        return back
    municipality = concerns[0].municipality
    form = AssignForm(posted(request), prefix="bulk", municipality=municipality, concerns=concerns)
    if any(c.municipality_id != municipality.pk for c in concerns):
        form.add_error(None, _("Choose concerns of one municipality at a time."))
    elif form.is_valid():
        try:
            with transaction.atomic():
                for concern in concerns:
                    services.concern_assign(
                        concern=concern,
                        unit=form.cleaned_data["unit"] or concern.assigned_unit,
                        handler=form.cleaned_data["handler"],
                        by=request.user,
                    )
        except services.AssignmentError as error:
            show_error(request, error, form, field="handler")
        else:
            count = len(concerns)
            text = ngettext(
                "%(count)d concern was assigned.", "%(count)d concerns were assigned.", count
            )
            messages.success(request, text % {"count": count})
            return back
    return _inbox_page(request, bulk_form=form, selected=ids, status=400)


def _standard_answers(concern) -> list:
    return list(StandardAnswer.objects.filter(municipality_id=concern.municipality_id, active=True))


def concern_map(concern) -> dict | None:
    """The place marked with a concern (rounded when it was stored), with its project's site."""
    if concern.latitude is None:
        return None
    # The mark has no name on the map (the page says "Marked on the map" beside it); the
    # project's site has, and a name by each would cover the other at this distance.
    features = [point(concern.latitude, concern.longitude, kind="concern")]
    project = concern.project
    if project is not None and project.latitude is not None:
        features.append(point(project.latitude, project.longitude, label=project.name))
    return map_spec(
        "concern",
        label=_("Map of the place marked with the concern"),
        features=features,
        centre=(concern.latitude, concern.longitude),
        zoom=17,
    )


def _detail_context(request, concern, **forms):
    context = {
        "concern": concern,
        "map": concern_map(concern),
        "rounding_m": settings.CONCERN_POSITION_ROUNDING_M,
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
        "note_form": NoteForm(),
        "assign_form": AssignForm(
            municipality=concern.municipality,
            concerns=[concern],
            current_unit=concern.assigned_unit,
            initial={"unit": concern.assigned_unit, "handler": concern.assigned_to_id},
        ),
        "measures": concern.measures.select_related("owner_unit"),
        "event_form": UnwantedEventForm(
            project=concern.project, initial={"unwanted_event": concern.unwanted_event_id}
        ),
        "can_plan": concern.project is not None
        and rules.has_perm("plans.change_plan", request.user, concern.project),
        "can_mark_police": rules.has_perm("concerns.mark_police_relevant", request.user, concern),
        "measure_form": ConcernMeasureForm(
            municipality=concern.municipality, initial={"owner_unit": concern.assigned_unit}
        ),
    }
    if "message_form" not in forms:
        forms["message_form"] = MessageForm(answers=_standard_answers(concern))
    try:  # for the preview of a message: the language the reporter reads it in
        context["reporter_language"] = get_language_info(concern.language)["name_translated"]
    except KeyError:
        context["reporter_language"] = concern.language
    if rules.has_perm("concerns.view_access_log", request.user, concern):
        context["access_log"] = (
            LogEntry.objects.get_for_object(concern)
            .filter(action=LogEntry.Action.ACCESS)
            .select_related("actor")
            .order_by("-timestamp")[:50]
        )
    context.update(forms)
    return context


def _render_detail(request, concern, *, status: int = 200, **forms) -> HttpResponse:
    """The case page: shown after a GET, and again after a POST that could not be saved
    (with what was typed). Either way it shows the concern's text, so it is logged."""
    log_access([concern])
    context = _detail_context(request, concern, **forms)
    context["breadcrumbs"] = concerns_trail(
        _("Concern %(reference)s") % {"reference": concern.reference}
    )
    return render(request, "concerns/detail.html", context, status=status)


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    # A handler has seen what the reporter wrote: no longer "new from the reporter".
    was_new = services.concern_mark_seen(concern=concern, by=request.user)
    return _render_detail(request, concern, new_from_reporter=was_new)


@staff_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo attached to a concern, for those who may see the concern: never cached,
    never sniffed, shown in the browser. Every view is logged."""
    concern = get_concern_for_user(request.user, pk)
    found = get_object_or_404(Photo, pk=photo_pk, concern=concern)
    try:
        file = found.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_access([concern], seen="photo")
    response = FileResponse(file, content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status. An answer to the reporter is first shown as they will see it
    (`confirm` is then posted with it), like every message to them."""
    concern = get_concern_for_user(request.user, pk, CHANGE)
    form = TransitionForm(posted(request), concern=concern)
    if form.is_valid():
        data = form.cleaned_data
        if data["answer"].strip() and request.POST.get("confirm") != "1":
            return _render_detail(
                request, concern, transition_form=form, answer_preview=data["answer"]
            )
        try:
            services.concern_transition(
                concern=concern,
                to_status=data["to_status"],
                by=request.user,
                note=data["note"],
                answer=data["answer"],
                cancel_reason=data["cancel_reason"],
            )
        except services.WorkflowError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("The status was changed."))
            return redirect(concern)
    return _render_detail(request, concern, transition_form=form, status=400)


MESSAGE_ACTIONS = {"insert", "preview", "edit", "send"}


@require_POST
@staff_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to the reporter, in steps that all work without JavaScript: insert a standard
    answer (the form comes back with it filled in), preview the message as the reporter
    will see it, go back to edit it, send it."""
    concern = get_concern_for_user(request.user, pk, CHANGE)
    answers = _standard_answers(concern)
    action = request.POST.get("action", "preview")
    if action not in MESSAGE_ACTIONS:
        action = "preview"
    form = MessageForm(posted(request), answers=answers, inserting=action == "insert")
    if not form.is_valid():
        return _render_detail(request, concern, message_form=form, status=400)
    body = form.cleaned_data["body"]
    if action == "insert":
        filled = placeholders.fill(form.cleaned_data["standard_answer"].body, concern)
        body = f"{body.rstrip()}\n\n{filled}" if body.strip() else filled
        form = MessageForm({"body": body}, answers=answers)
        form.is_valid()  # shows it when the text has grown too long: nothing is cut off
        return _render_detail(request, concern, message_form=form, status=form_status(form))
    if action == "send":
        services.message_send(concern=concern, body=body, author=request.user)
        messages.success(request, _("The message was sent to the reporter."))
        return redirect(concern)
    if action == "edit":
        return _render_detail(request, concern, message_form=form)
    return _render_detail(request, concern, message_form=form, message_preview=body)


@require_POST
@staff_required
def note(request: HttpRequest, pk: int) -> HttpResponse:
    """An internal note: its own form, never shown to the reporter."""
    concern = get_concern_for_user(request.user, pk, CHANGE)
    form = NoteForm(posted(request))
    if form.is_valid():
        services.note_add(concern=concern, body=form.cleaned_data["body"], author=request.user)
        messages.success(request, _("The internal note was saved."))
        return redirect(concern)
    return _render_detail(request, concern, note_form=form, status=400)


@require_POST
@staff_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure on the project's plan, with this concern as its source."""
    concern = get_concern_for_user(request.user, pk)
    if concern.project is None:  # about the area in general: there is no plan to add to
        raise PermissionDenied
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
            show_error(request, error, form)
        else:
            messages.success(
                request,
                _("The measure “%(title)s” is on the project's plan.") % {"title": measure.title},
            )
            return redirect(concern)
    return _render_detail(request, concern, measure_form=form, status=400)


@require_POST
@staff_required
def link_event(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk, CHANGE)
    form = UnwantedEventForm(posted(request), project=concern.project)
    if form.is_valid():
        services.concern_link_event(
            concern=concern, unwanted_event=form.cleaned_data["unwanted_event"]
        )
        messages.success(request, _("The link to the risk analysis was saved."))
        return redirect(concern)
    return _render_detail(request, concern, event_form=form, status=400)


@require_POST
@staff_required
def police_relevant(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the concern as relevant for the police (it then counts in the situation picture)."""
    concern = get_concern_for_user(request.user, pk, "concerns.mark_police_relevant")
    relevant = request.POST.get("relevant", "")
    if relevant not in {"0", "1"}:
        messages.error(request, _("Choose whether the concern is relevant for the police."))
        return _render_detail(request, concern, status=400)
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
    concern = get_concern_for_user(request.user, pk, CHANGE)
    form = AssignForm(
        posted(request),
        municipality=concern.municipality,
        concerns=[concern],
        current_unit=concern.assigned_unit,
    )
    if form.is_valid():
        try:
            services.concern_assign(
                concern=concern,
                unit=form.cleaned_data["unit"],
                handler=form.cleaned_data["handler"],
                by=request.user,
            )
        except services.AssignmentError as error:
            show_error(request, error, form, field="handler")
        else:
            messages.success(request, _("The concern was assigned."))
            if rules.has_perm("concerns.view_concern", request.user, concern):
                return redirect(concern)
            return redirect("concerns:inbox")
    return _render_detail(request, concern, assign_form=form, status=400)


@require_POST
@staff_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this concern (a duplicate) into another one the user also handles."""
    duplicate = get_concern_for_user(request.user, pk, CHANGE)
    into_pk = request.POST.get("into", "")
    into = get_concern_for_user(request.user, int(into_pk), CHANGE) if into_pk.isdigit() else None
    if into is None:
        messages.error(request, _("Choose the concern to merge into."))
        return redirect(duplicate)
    try:
        services.concern_merge(duplicate=duplicate, into=into, by=request.user)
    except services.WorkflowError as error:
        show_error(request, error)
        return redirect(duplicate)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(into)s. Its reporter gets the answers given there.")
        % {"duplicate": duplicate.reference, "into": into.reference},
    )
    return redirect(into)
