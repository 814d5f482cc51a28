"""The municipality administrator's operations: invitations, members' roles, deactivation,
two-step resets, and units (create, edit, merge, retire).

Every change is in the audit log: django-auditlog records the rows of Municipality, Unit,
Membership and Invitation as they are saved or deleted, and `admin_event` adds an explicit
entry (with the reason) for what is not a plain row change, such as a deactivation or a reset
of someone's two-step login. Each entry carries the municipality in `additional_data`, so the
municipality's log (`/app/administrasjon/logg/`) finds it.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import nullcontext
from datetime import timedelta

from allauth.mfa.models import Authenticator
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Category, RoutingRule
from naboskap.concerns.services import categories_ensure_defaults
from naboskap.lib import pagecache
from naboskap.lib.errors import DomainError
from naboskap.tenancy.models import Invitation, Membership, Municipality, Role, Unit
from naboskap.tenancy.sessions import end_sessions
from naboskap.tenancy.tasks import invitation_token, send_invitation

User = get_user_model()

INVITATION_VALID_FOR = timedelta(hours=72)


class AdminError(DomainError):
    """An administrative change that would leave the municipality without what it needs."""


# The explicit entries of the audit log ----------------------------------------------------------


class Event(models.TextChoices):
    DEACTIVATED = "deactivated", _("Deactivated")
    REMOVED = "removed", _("Removed from the municipality")
    MFA_RESET = "mfa_reset", _("Two-step login reset")
    INVITED = "invited", _("Invited")
    INVITATION_RESENT = "invitation_resent", _("Invitation sent again")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    UNIT_MERGED = "unit_merged", _("Unit merged")
    UNIT_RETIRED = "unit_retired", _("Unit retired")
    UNIT_REINSTATED = "unit_reinstated", _("Unit back in use")


def admin_event(
    *, municipality: Municipality, event: str, actor, subject, reason: str = "", **details
) -> LogEntry:
    """An append-only audit entry about `subject` (a user, a unit, an invitation)."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_pk=str(subject.pk),
        object_id=subject.pk,
        object_repr=str(subject)[:200] or "–",
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        additional_data={
            "municipality_id": municipality.pk,
            "event": event,
            "reason": reason,
            **({"user_id": subject.pk} if isinstance(subject, User) else {}),
            **details,
        },
    )


# Invitations ------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> None:
    invitation.nonce = secrets.token_hex(32)
    invitation.token_hash = token_hash(invitation_token(invitation))
    invitation.expires_at = timezone.now() + INVITATION_VALID_FOR


def _send(invitation: Invitation) -> None:
    pk = invitation.pk
    transaction.on_commit(lambda: send_invitation.enqueue(pk))


def invitation_find(token: str) -> Invitation | None:
    """The invitation of a link's token, whatever its state; None for an unknown token."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("municipality", "project", "unit", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_state(invitation: Invitation | None) -> str:
    """ "valid", or why the link no longer works: "unknown", "used", "revoked", "expired"."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "valid"


@transaction.atomic
def invitation_create(
    *,
    municipality: Municipality,
    name: str,
    email: str,
    roles: list[str],
    project=None,
    unit: Unit | None = None,
    invited_by=None,
) -> Invitation:
    """Invite someone by email; the worker sends the link once this commits."""
    invitation = Invitation(
        municipality=municipality,
        name=name.strip(),
        email=email.strip(),
        roles=sorted(set(roles)),
        project=project,
        unit=unit,
        invited_by=invited_by,
    )
    _new_token(invitation)
    invitation.full_clean()
    with set_actor(invited_by) if invited_by else nullcontext():
        invitation.save()
    admin_event(
        municipality=municipality,
        event=Event.INVITED,
        actor=invited_by,
        subject=invitation,
        roles=invitation.roles,
    )
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by) -> Invitation:
    """A new link (the old one stops working), valid for another 72 hours, sent again."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise AdminError(_("This invitation has been used or revoked."))
    _new_token(invitation)
    invitation.sent_at = None
    invitation.save(update_fields=["nonce", "token_hash", "expires_at", "sent_at"])
    admin_event(
        municipality=invitation.municipality,
        event=Event.INVITATION_RESENT,
        actor=by,
        subject=invitation,
    )
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise AdminError(_("This invitation has been used or revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    admin_event(
        municipality=invitation.municipality,
        event=Event.INVITATION_REVOKED,
        actor=by,
        subject=invitation,
    )
    return invitation


def _grant(invitation: Invitation, user) -> None:
    for role in invitation.roles:
        Membership.objects.get_or_create(
            user=user,
            municipality=invitation.municipality,
            role=role,
            project=invitation.project,
            defaults={"unit": invitation.unit},
        )


def _claim(invitation: Invitation) -> Invitation:
    """Lock the invitation and check it is still valid: a link is used once."""
    locked = (
        # Only the invitation's row: PostgreSQL cannot lock the nullable side of a join.
        Invitation.objects.select_for_update(of=("self",))
        .select_related("municipality", "project", "unit")
        .get(pk=invitation.pk)
    )
    if invitation_state(locked) != "valid":
        raise AdminError(_("This invitation can no longer be used."))
    return locked


def existing_user_for(invitation: Invitation):
    """An active user who already has this email address (from another municipality, say)."""
    return (
        User.objects.filter(email__iexact=invitation.email, is_active=True).order_by("pk").first()
    )


@transaction.atomic
def invitation_accept_new(*, invitation: Invitation, username: str, password: str):
    """Create the invitee's account with the password they chose, and their roles."""
    invitation = _claim(invitation)
    first_name, _space, last_name = invitation.name.partition(" ")
    user = User(username=username, email=invitation.email, first_name=first_name)
    user.last_name = last_name
    user.set_password(password)
    user.full_clean()
    user.save()
    return _accepted(invitation, user)


@transaction.atomic
def invitation_accept_existing(*, invitation: Invitation, user):
    """Add the invitation's roles to a user who has an account already."""
    invitation = _claim(invitation)
    return _accepted(invitation, user)


def _accepted(invitation: Invitation, user):
    with set_actor(user):
        _grant(invitation, user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    admin_event(
        municipality=invitation.municipality,
        event=Event.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
        invitation_id=invitation.pk,
    )
    return user


# Members ----------------------------------------------------------------------------------------


def _admins_after(municipality: Municipality, *, without_user=None, without_pks=()) -> int:
    admins = Membership.objects.filter(
        municipality=municipality, role=Role.ADMIN, project__isnull=True, user__is_active=True
    )
    if without_user is not None:
        admins = admins.exclude(user=without_user)
    return admins.exclude(pk__in=without_pks).values("user").distinct().count()


@transaction.atomic
def member_set_roles(*, municipality: Municipality, user, roles: list[dict], by) -> None:
    """Replace the user's memberships in this municipality with `roles`: a list of
    {"role", "project", "unit"} (project None: municipality-wide)."""
    current = list(
        Membership.objects.select_for_update().filter(user=user, municipality=municipality)
    )
    wanted = {(r["role"], getattr(r.get("project"), "pk", None)): r for r in roles}
    if not wanted:
        raise AdminError(_("Choose at least one role, or deactivate the user instead."))
    gone = [m for m in current if (m.role, m.project_id) not in wanted]
    if _admins_after(municipality, without_pks=[m.pk for m in gone]) == 0:
        raise AdminError(_("The municipality must keep at least one administrator."))
    with set_actor(by):
        for membership in gone:
            membership.delete()
        kept = {(m.role, m.project_id): m for m in current if m not in gone}
        for key, spec in wanted.items():
            unit = spec.get("unit")
            membership = kept.get(key)
            if membership is None:
                membership = Membership(
                    user=user,
                    municipality=municipality,
                    role=spec["role"],
                    project=spec.get("project"),
                    unit=unit,
                )
                membership.full_clean()
                membership.save()
            elif membership.unit_id != getattr(unit, "pk", None):
                membership.unit = unit
                membership.save(update_fields=["unit"])


@transaction.atomic
def member_deactivate(*, municipality: Municipality, user, by, reason: str = "") -> bool:
    """Someone left: their roles in this municipality end (the audit log keeps them), every
    session of theirs ends at once, and they lead no unit here any more. Their history
    (concerns handled, measures, log entries) stays. Someone with roles in another
    municipality keeps their account; anyone else is deactivated. Returns whether the account
    was deactivated."""
    user = User.objects.select_for_update().get(pk=user.pk)
    memberships = list(Membership.objects.filter(user=user, municipality=municipality))
    if not memberships:
        raise AdminError(_("This user has no role in the municipality."))
    if _admins_after(municipality, without_user=user) == 0:
        raise AdminError(_("The municipality must keep at least one administrator."))
    with set_actor(by):
        for membership in memberships:
            membership.delete()
        for unit in Unit.objects.filter(municipality=municipality, lead=user):
            unit.lead = None
            unit.save(update_fields=["lead"])
    elsewhere = Membership.objects.filter(user=user).exclude(municipality=municipality).exists()
    if not elsewhere:
        user.is_active = False
        user.save(update_fields=["is_active"])
    end_sessions(user=user)
    admin_event(
        municipality=municipality,
        event=Event.REMOVED if elsewhere else Event.DEACTIVATED,
        actor=by,
        subject=user,
        reason=reason,
        roles=[m.role for m in memberships],
    )
    return not elsewhere


@transaction.atomic
def member_reset_mfa(*, municipality: Municipality, user, by, reason: str) -> int:
    """Remove the user's authenticators (TOTP and recovery codes) so that they set up two-step
    login again, and end their sessions. Returns how many authenticators were removed."""
    reason = reason.strip()
    if not reason:
        raise AdminError(_("Say why the two-step login is reset."))
    User.objects.select_for_update().get(pk=user.pk)
    removed, _by_kind = Authenticator.objects.filter(user=user).delete()
    end_sessions(user=user)
    admin_event(
        municipality=municipality,
        event=Event.MFA_RESET,
        actor=by,
        subject=user,
        reason=reason,
        authenticators=removed,
    )
    return removed


# Units ------------------------------------------------------------------------------------------


@transaction.atomic
def unit_save(*, unit: Unit, by) -> Unit:
    """Create or change a unit (name, kind, email, lead)."""
    unit.full_clean()
    with set_actor(by):
        unit.save()
    pagecache.invalidate()  # a project page names its responsible unit
    return unit


def unit_references(unit: Unit) -> list[tuple[models.ForeignKey, int]]:
    """Every foreign key to a unit, in every app, with how many rows point at `unit`.

    Found from the model registry (hidden relations and many-to-many tables included), so a
    new app's foreign key is never forgotten by a merge."""
    references = []
    for relation in Unit._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue  # a many-to-many is moved through its table's own foreign key
        field = relation.field
        references.append(
            (field, field.model._default_manager.filter(**{field.name: unit}).count())
        )
    return references


def _unique_sets(model, field) -> list[tuple[tuple[str, ...], models.Q | None]]:
    """The unique field sets of `model` that include `field`, with their conditions."""
    sets = [(tuple(fields), None) for fields in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            sets.append((tuple(constraint.fields), constraint.condition))
    return [(fields, condition) for fields, condition in sets if field.name in fields]


@transaction.atomic
def unit_merge(*, source: Unit, target: Unit, by) -> dict[str, int]:
    """Move everything that points at `source` to `target`, then delete `source`.

    A row that would then duplicate one of the target's where the model allows only one (a
    measure's participation, a weekly reminder) is dropped: the target's row stands for both.
    Returns the moved rows per model ("app.Model.field").
    """
    if source.pk == target.pk or source.municipality_id != target.municipality_id:
        raise AdminError(_("Choose another unit of the same municipality."))
    source = Unit.objects.select_for_update().get(pk=source.pk)
    target = Unit.objects.select_for_update().get(pk=target.pk)
    moved: dict[str, int] = {}
    with set_actor(by):
        for relation in Unit._meta.get_fields(include_hidden=True):
            if not relation.auto_created or relation.concrete or relation.many_to_many:
                continue
            field = relation.field
            model = field.model
            rows = model._default_manager.filter(**{field.name: source})
            unique_sets = _unique_sets(model, field)
            count = 0
            if not unique_sets:
                count = rows.update(**{field.name: target})
            else:
                for row in rows.select_for_update():
                    if _would_duplicate(row, field, target, unique_sets):
                        row.delete()
                        continue
                    setattr(row, field.name, target)
                    row.save(update_fields=[field.name])
                    count += 1
            if count:
                moved[f"{model._meta.label}.{field.name}"] = count
        if target.lead_id is None and source.lead_id is not None:
            target.lead_id = source.lead_id
            target.save(update_fields=["lead"])
        name = source.name
        source.delete()
    admin_event(
        municipality=target.municipality,
        event=Event.UNIT_MERGED,
        actor=by,
        subject=target,
        merged_unit=name,
        moved=moved,
    )
    pagecache.invalidate()
    return moved


def _would_duplicate(row, field, target, unique_sets) -> bool:
    model = type(row)
    for fields, condition in unique_sets:
        if (
            condition is not None
            and not model._default_manager.filter(condition, pk=row.pk).exists()
        ):
            continue  # the constraint does not apply to this row
        lookup = {
            name: getattr(row, model._meta.get_field(name).attname)
            for name in fields
            if name != field.name
        }
        others = model._default_manager.filter(**lookup, **{field.name: target})
        if condition is not None:
            others = others.filter(condition)
        if others.exclude(pk=row.pk).exists():
            return True
    return False


def unit_routing_references(unit: Unit) -> dict[str, list]:
    """The routing that points at `unit`: what has to move before it can be retired."""
    return {
        "rules": list(RoutingRule.objects.filter(unit=unit).select_related("category", "project")),
        "categories": list(Category.objects.filter(default_unit=unit)),
    }


@transaction.atomic
def unit_retire(*, unit: Unit, by, successor: Unit | None = None) -> Unit:
    """Retire a unit: it is no longer offered for new routing rules, assignments or measures,
    and what it did stays in the history under its name. New concerns must still reach
    someone, so the routing rules and the categories' default unit that point at it move to
    `successor`, which is required when there are any."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.retired_at is not None:
        raise AdminError(_("This unit is retired already."))
    if successor is not None and (
        successor.pk == unit.pk
        or successor.municipality_id != unit.municipality_id
        or successor.retired_at is not None
    ):
        raise AdminError(_("Choose another unit of the municipality that is in use."))
    rules = RoutingRule.objects.filter(unit=unit)
    categories = Category.objects.filter(default_unit=unit)
    if successor is None and (rules.exists() or categories.exists()):
        raise AdminError(
            _(
                "Routing rules or categories send new concerns to this unit: choose the unit "
                "that takes them over."
            )
        )
    moved_rules = moved_categories = 0
    if successor is not None:
        moved_rules = rules.update(unit=successor)
        moved_categories = categories.update(default_unit=successor)
    with set_actor(by):
        unit.retired_at = timezone.now()
        unit.save(update_fields=["retired_at"])
    admin_event(
        municipality=unit.municipality,
        event=Event.UNIT_RETIRED,
        actor=by,
        subject=unit,
        successor=str(successor) if successor else "",
        rules_moved=moved_rules,
        categories_moved=moved_categories,
    )
    return unit


@transaction.atomic
def unit_reinstate(*, unit: Unit, by) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.retired_at is None:
        return unit
    with set_actor(by):
        unit.retired_at = None
        unit.save(update_fields=["retired_at"])
    admin_event(municipality=unit.municipality, event=Event.UNIT_REINSTATED, actor=by, subject=unit)
    return unit


# A new municipality -----------------------------------------------------------------------------


@transaction.atomic
def municipality_create(
    *, number: str, name: str, slug: str, language: str, admin_email: str, admin_name: str = ""
) -> tuple[Municipality, Invitation]:
    """A new municipality with its default concern categories, and an invitation for its
    first administrator."""
    municipality = Municipality(number=number, name=name, slug=slug, default_language=language)
    municipality.full_clean()
    municipality.save()
    categories_ensure_defaults(municipality=municipality)
    invitation = invitation_create(
        municipality=municipality,
        name=admin_name or admin_email.split("@")[0],
        email=admin_email,
        roles=[Role.ADMIN],
    )
    return municipality, invitation
