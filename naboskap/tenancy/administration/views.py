"""The municipality administrator's pages: users and invitations, units, and the log."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.tenancy.access import get_staff_municipality, staff_required
from naboskap.tenancy.administration import services
from naboskap.tenancy.administration.access import (
    MANAGE,
    get_invitation_for_admin,
    get_member_for_admin,
    get_unit_for_admin,
)
from naboskap.tenancy.administration.forms import (
    DeactivateForm,
    InviteForm,
    LogFilterForm,
    MfaResetForm,
    RoleFormSet,
    UnitForm,
    UnitMergeForm,
    UnitRetireForm,
    UserSearchForm,
)
from naboskap.tenancy.breadcrumbs import log_trail, units_trail, users_trail
from naboskap.tenancy.models import Invitation, Membership, Municipality, Unit

User = get_user_model()
LOG_PAGE_SIZE = 50


# Users ------------------------------------------------------------------------------------------


@staff_required
def users(request: HttpRequest) -> HttpResponse:
    """The municipality's staff, open invitations, and who has left."""
    municipality = get_staff_municipality(request, MANAGE)
    search = UserSearchForm(request.GET or None)
    members = (
        User.objects.filter(memberships__municipality=municipality)
        .distinct()
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            )
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(municipality=municipality)
                .select_related("project", "unit")
                .order_by("role", "project__name"),
                to_attr="roles_here",
            )
        )
        .order_by("first_name", "last_name", "username")
    )
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        members = members.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(username__icontains=query)
            | Q(email__icontains=query)
        )
    invitations = (
        Invitation.objects.filter(
            municipality=municipality, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("project", "unit", "invited_by")
        .order_by("-created_at")
    )
    context = {
        "municipality": municipality,
        "breadcrumbs": users_trail(),
        "search": search,
        "query": query,
        "members": members,
        "invitations": invitations,
        "former": _former_staff(municipality),
        "now": timezone.now(),
    }
    return render(request, "tenancy/administration/users.html", context)


def _former_staff(municipality: Municipality) -> list:
    """Users who were deactivated or removed here and hold no role here now (from the log)."""
    events = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            additional_data__municipality_id=municipality.pk,
            additional_data__event__in=[services.Event.DEACTIVATED, services.Event.REMOVED],
        )
        .select_related("actor")
        .order_by("-timestamp")
    )
    latest = {}
    for entry in events[:200]:
        latest.setdefault(entry.object_id, entry)
    current = set(
        Membership.objects.filter(municipality=municipality, user_id__in=list(latest)).values_list(
            "user_id", flat=True
        )
    )
    people = User.objects.in_bulk([pk for pk in latest if pk not in current])
    return [(people[pk], latest[pk]) for pk in latest if pk in people]


@staff_required
def user_invite(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    form = InviteForm(posted(request), municipality=municipality)
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(
            municipality=municipality, invited_by=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            _("An invitation was sent to %(email)s.") % {"email": invitation.email},
        )
        return redirect("administration:users")
    return render(
        request,
        "tenancy/administration/invite.html",
        {
            "form": form,
            "municipality": municipality,
            "breadcrumbs": users_trail(_("Invite a colleague")),
        },
        status=form_status(form),
    )


@require_POST
@staff_required
def invitation_resend(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    _municipality, invitation = get_invitation_for_admin(request, invitation_pk)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except services.AdminError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("A new link was sent to %(email)s; the old one no longer works.")
            % {"email": invitation.email},
        )
    return redirect("administration:users")


@require_POST
@staff_required
def invitation_revoke(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    _municipality, invitation = get_invitation_for_admin(request, invitation_pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except services.AdminError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
        )
    return redirect("administration:users")


def _role_initial(municipality, user) -> list[dict]:
    return [
        {"role": m.role, "project": m.project, "unit": m.unit}
        for m in Membership.objects.filter(municipality=municipality, user=user)
        .select_related("project", "unit")
        .order_by("role", "project__name")
    ]


def _role_form_kwargs(municipality, member) -> dict:
    units = Membership.objects.filter(municipality=municipality, user=member, unit__isnull=False)
    return {"municipality": municipality, "keep_units": units.values_list("unit_id", flat=True)}


def _user_page(request, municipality, member, status=200, **forms) -> HttpResponse:
    initial = _role_initial(municipality, member)
    context = {
        "municipality": municipality,
        "member": member,
        "breadcrumbs": users_trail(member.get_full_name() or member.username),
        "has_totp": Authenticator.objects.filter(
            user=member, type=Authenticator.Type.TOTP
        ).exists(),
        "is_self": member.pk == request.user.pk,
        "roles_formset": forms.get("roles_formset")
        or RoleFormSet(
            initial=initial,
            prefix="roles",
            form_kwargs=_role_form_kwargs(municipality, member),
        ),
        "deactivate_form": forms.get("deactivate_form") or DeactivateForm(),
        "mfa_form": forms.get("mfa_form") or MfaResetForm(),
        "elsewhere": Membership.objects.filter(user=member)
        .exclude(municipality=municipality)
        .exists(),
    }
    return render(request, "tenancy/administration/user.html", context, status=status)


@staff_required
def user_detail(request: HttpRequest, user_pk: int) -> HttpResponse:
    """A member's roles (with project scope and unit), to change them."""
    municipality, member = get_member_for_admin(request, user_pk)
    if request.method != "POST":
        return _user_page(request, municipality, member)
    formset = RoleFormSet(
        request.POST, prefix="roles", form_kwargs=_role_form_kwargs(municipality, member)
    )
    if formset.is_valid():
        try:
            services.member_set_roles(
                municipality=municipality, user=member, roles=formset.roles(), by=request.user
            )
        except services.AdminError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("The roles were saved."))
            return redirect("administration:user", user_pk=member.pk)
    return _user_page(request, municipality, member, status=400, roles_formset=formset)


@require_POST
@staff_required
def user_deactivate(request: HttpRequest, user_pk: int) -> HttpResponse:
    municipality, member = get_member_for_admin(request, user_pk)
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            deactivated = services.member_deactivate(
                municipality=municipality,
                user=member,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.AdminError as error:
            show_error(request, error, form)
        else:
            name = member.get_full_name() or member.username
            if deactivated:
                text = _("%(name)s was deactivated and signed out everywhere.")
            else:
                text = _(
                    "%(name)s no longer has a role here and was signed out everywhere; "
                    "their roles in another municipality remain."
                )
            messages.success(request, text % {"name": name})
            if member.pk == request.user.pk:
                return redirect("insights:home")
            return redirect("administration:users")
    return _user_page(request, municipality, member, status=400, deactivate_form=form)


@require_POST
@staff_required
def user_reset_mfa(request: HttpRequest, user_pk: int) -> HttpResponse:
    municipality, member = get_member_for_admin(request, user_pk)
    form = MfaResetForm(request.POST)
    if form.is_valid():
        try:
            services.member_reset_mfa(
                municipality=municipality,
                user=member,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.AdminError as error:
            show_error(request, error, form, field="reason")
        else:
            messages.success(
                request,
                _(
                    "The two-step login of %(name)s was reset: they set it up again at their "
                    "next sign-in."
                )
                % {"name": member.get_full_name() or member.username},
            )
            return redirect("administration:user", user_pk=member.pk)
    return _user_page(request, municipality, member, status=400, mfa_form=form)


# Units ------------------------------------------------------------------------------------------


@staff_required
def units(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    unit_list = (
        Unit.objects.filter(municipality=municipality)
        .select_related("lead")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("retired_at", "name")
    )
    return render(
        request,
        "tenancy/administration/units.html",
        {"municipality": municipality, "units": unit_list, "breadcrumbs": units_trail()},
    )


@staff_required
def unit_create(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    form = UnitForm(posted(request), municipality=municipality)
    if request.method == "POST" and form.is_valid():
        unit = services.unit_save(unit=form.instance, by=request.user)
        messages.success(request, _("The unit %(name)s was created.") % {"name": unit.name})
        return redirect("administration:units")
    return render(
        request,
        "tenancy/administration/unit_form.html",
        {
            "form": form,
            "unit": None,
            "municipality": municipality,
            "breadcrumbs": units_trail(_("New unit")),
        },
        status=form_status(form),
    )


def _unit_page(request, municipality, unit, status=200, **forms) -> HttpResponse:
    context = {
        "municipality": municipality,
        "unit": unit,
        "breadcrumbs": units_trail(unit.name),
        "form": forms.get("form") or UnitForm(instance=unit, municipality=municipality),
        "merge_form": forms.get("merge_form") or UnitMergeForm(unit=unit),
        "retire_form": forms.get("retire_form") or UnitRetireForm(unit=unit),
        "routing": services.unit_routing_references(unit),
        "references": [
            (field.model._meta.verbose_name_plural, field.verbose_name, count)
            for field, count in services.unit_references(unit)
            if count
        ],
    }
    return render(request, "tenancy/administration/unit_form.html", context, status=status)


@staff_required
def unit_edit(request: HttpRequest, unit_pk: int) -> HttpResponse:
    municipality, unit = get_unit_for_admin(request, unit_pk)
    if request.method != "POST":
        return _unit_page(request, municipality, unit)
    form = UnitForm(request.POST, instance=unit, municipality=municipality)
    if form.is_valid():
        services.unit_save(unit=form.instance, by=request.user)
        messages.success(request, _("The unit was saved."))
        return redirect("administration:units")
    return _unit_page(request, municipality, unit, status=400, form=form)


@require_POST
@staff_required
def unit_merge(request: HttpRequest, unit_pk: int) -> HttpResponse:
    municipality, unit = get_unit_for_admin(request, unit_pk)
    form = UnitMergeForm(request.POST, unit=unit)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            services.unit_merge(source=unit, target=target, by=request.user)
        except services.AdminError as error:
            show_error(request, error, form)
        else:
            messages.success(
                request,
                _("%(source)s was merged into %(target)s.")
                % {"source": unit.name, "target": target.name},
            )
            return redirect("administration:units")
    return _unit_page(request, municipality, unit, status=400, merge_form=form)


@require_POST
@staff_required
def unit_retire(request: HttpRequest, unit_pk: int) -> HttpResponse:
    municipality, unit = get_unit_for_admin(request, unit_pk)
    form = UnitRetireForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            services.unit_retire(
                unit=unit, by=request.user, successor=form.cleaned_data["successor"]
            )
        except services.AdminError as error:
            show_error(request, error, form, field="successor")
        else:
            messages.success(request, _("%(name)s was retired.") % {"name": unit.name})
            return redirect("administration:units")
    return _unit_page(request, municipality, unit, status=400, retire_form=form)


@require_POST
@staff_required
def unit_reinstate(request: HttpRequest, unit_pk: int) -> HttpResponse:
    _municipality, unit = get_unit_for_admin(request, unit_pk)
    services.unit_reinstate(unit=unit, by=request.user)
    messages.success(request, _("%(name)s is in use again.") % {"name": unit.name})
    return redirect("administration:units")


# The log ----------------------------------------------------------------------------------------


def municipality_log(municipality: Municipality):
    """Every audit entry of the municipality: its own row, its units, memberships and
    invitations, and the explicit entries (deactivations, two-step resets, merges)."""
    own_types = ContentType.objects.get_for_models(Municipality, Unit, Membership, Invitation)
    unit_ids = list(Unit.objects.filter(municipality=municipality).values_list("pk", flat=True))
    return (
        LogEntry.objects.filter(
            Q(additional_data__municipality_id=municipality.pk)
            # Entries from before the municipality was filed with each entry.
            | Q(content_type=own_types[Municipality], object_id=municipality.pk)
            | Q(content_type=own_types[Unit], object_id__in=unit_ids)
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


@staff_required
def log(request: HttpRequest) -> HttpResponse:
    municipality = get_staff_municipality(request, MANAGE)
    entries = municipality_log(municipality)
    actor_ids = entries.exclude(actor__isnull=True).values("actor")
    people = (
        User.objects.filter(Q(memberships__municipality=municipality) | Q(pk__in=actor_ids))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    form = LogFilterForm(request.GET or None, users=people)
    chosen = form.cleaned_data["user"] if form.is_valid() else None
    if chosen is not None:
        entries = entries.filter(
            Q(actor=chosen)
            | Q(additional_data__user_id=chosen.pk)
            | Q(content_type=ContentType.objects.get_for_model(User), object_id=chosen.pk)
        )
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("side"))
    events = dict(services.Event.choices)
    rows = [
        {
            "entry": entry,
            "event": events.get((entry.additional_data or {}).get("event")),
            "reason": (entry.additional_data or {}).get("reason", ""),
            "changes": _changes(entry),
            "kind": _kind(entry),
        }
        for entry in page
    ]
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "municipality": municipality,
        "breadcrumbs": log_trail(),
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }
    return render(request, "tenancy/administration/log.html", context)


def _kind(entry) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model else ""


def _changes(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) of a row change; nothing for an explicit entry."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    rows = []
    for field, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            rows.append((field, str(values[0]), str(values[1])))
    return rows[:12]
