"""Reads about concerns that several pages share."""

import hashlib
from datetime import timedelta

import rules
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from naboskap.concerns.models import Concern, CountsVersion
from naboskap.concerns.rules import HANDLER_ROLES
from naboskap.concerns.workflow import OPEN
from naboskap.tenancy.models import Membership, Role
from naboskap.tenancy.rules import memberships_of


def _memberships(user, municipality):
    return [
        m
        for m in memberships_of(user)
        if municipality is None or m.municipality_id == municipality.pk
    ]


def concerns_for_user(user, municipality=None) -> QuerySet[Concern]:
    """Every concern the user may see (the same circle as `concerns.rules.handles_concern`);
    with `municipality`, only that municipality's (the inbox: the one the user works in)."""
    reach = Q(pk__in=[])
    for m in _memberships(user, municipality):
        if m.role in HANDLER_ROLES:
            if m.project_id is None:
                reach |= Q(municipality_id=m.municipality_id)
            else:
                reach |= Q(project_id=m.project_id)
        elif m.role == Role.CASE_HANDLER and m.unit_id is not None:
            reach |= Q(municipality_id=m.municipality_id, assigned_unit_id=m.unit_id)
    return Concern.objects.filter(reach)


def overdue_filter() -> Q:
    today = timezone.localdate()
    return Q(status__in=OPEN) & (
        Q(answer_due__lt=today) | Q(acknowledged_at__isnull=True, acknowledge_due__lt=today)
    )


# The inbox's counts per status are counted once per change, not once per page view: they
# are cached under a version number per municipality (`CountsVersion`), which every write
# that changes a concern's status, unit or existence moves on once it is committed
# (`concerns_changed`). Counting 100,000 rows costs more than the rest of the page together.
COUNTS_TIMEOUT = 600  # a safety net only: every such write moves the version on


def _versions(municipality_ids) -> str:
    found = dict(
        CountsVersion.objects.filter(municipality_id__in=municipality_ids).values_list(
            "municipality_id", "number"
        )
    )
    return "-".join(f"{pk}.{found.get(pk, 0)}" for pk in sorted(municipality_ids))


def _bump(municipality_id: int) -> None:
    versions = CountsVersion.objects.filter(municipality_id=municipality_id)
    if not versions.update(number=F("number") + 1):  # the municipality's first change
        CountsVersion.objects.bulk_create(
            [CountsVersion(municipality_id=municipality_id)], ignore_conflicts=True
        )
        versions.update(number=F("number") + 1)


def concerns_changed(municipality_id: int) -> None:
    """A concern of the municipality was created, deleted, moved on or reassigned: its
    counts are counted again once the change is committed. A count made before that moment
    (which cannot see the change) was stored under the old number, which nobody reads again;
    one made after it sees the change, whichever number it is stored under."""
    transaction.on_commit(lambda: _bump(municipality_id))


def counts_by_status(user, municipality=None) -> dict[str, int]:
    """How many of the concerns the user may see are in each status (in `municipality`)."""
    reach = sorted(
        (m.role, m.municipality_id, m.project_id or 0, m.unit_id or 0)
        for m in _memberships(user, municipality)
    )
    signature = hashlib.sha256(repr(reach).encode()).hexdigest()[:24]
    key = f"concern-counts:{signature}:{_versions({m[1] for m in reach})}"
    counts = cache.get(key)
    if counts is None:
        rows = (
            concerns_for_user(user, municipality)
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
        )
        counts = {row["status"]: row["n"] for row in rows}
        cache.set(key, counts, COUNTS_TIMEOUT)
    return counts


# The inbox's one-click views: open cases only, like the inbox's default. -----------------

VIEWS = ("mine", "new", "overdue", "week")


def view_filter(view: str, user) -> Q:
    """The cases of one of the inbox's views (`VIEWS`)."""
    today = timezone.localdate()
    if view == "mine":
        return Q(status__in=OPEN, assigned_to=user)
    if view == "new":  # the reporter wrote, and no handler has opened the case since
        return Q(status__in=OPEN, reporter_wrote_at__isnull=False)
    if view == "overdue":
        return overdue_filter()
    if view == "week":  # the answer is due from today to Sunday (earlier ones are overdue)
        sunday = today + timedelta(days=6 - today.weekday())
        return Q(status__in=OPEN, answer_due__gte=today, answer_due__lte=sunday)
    raise ValueError(view)


def inbox_filter(concerns: QuerySet[Concern], data: dict, user) -> QuerySet[Concern]:
    """The inbox's filters (`forms.InboxFilterForm`'s cleaned data) applied to `concerns`:
    open cases unless closed or all are asked for, or a status. The API's concern list
    filters with this too."""
    if data.get("q"):
        text = data["q"].strip()
        concerns = concerns.filter(Q(reference__icontains=text) | Q(description__icontains=text))
    if data.get("status"):
        concerns = concerns.filter(status=data["status"])
    elif data.get("show") == "closed":
        concerns = concerns.exclude(status__in=OPEN)
    elif data.get("show") != "all":
        concerns = concerns.filter(status__in=OPEN)
    if data.get("view"):
        concerns = concerns.filter(view_filter(data["view"], user))
    for name in ("category", "project"):
        if data.get(name):
            concerns = concerns.filter(**{name: data[name]})
    if data.get("unit"):
        concerns = concerns.filter(assigned_unit=data["unit"])
    if data.get("police"):
        concerns = concerns.filter(police_relevant=True)
    return concerns


def inbox_counts(user, municipality) -> tuple[dict[str, int], dict[str, int]]:
    """The inbox's counts: per status (as `counts_by_status`) and per view (`VIEWS`), for
    the concerns the user may see in `municipality`. Counted once per change and cached
    under the municipality's version, per user and day (as "mine" and the deadlines depend
    on them): one cache read in the common case. Marking a case "new from the reporter" and
    clearing the mark move the version on, like every other write."""
    reach = sorted(
        (m.role, m.municipality_id, m.project_id or 0, m.unit_id or 0)
        for m in _memberships(user, municipality)
    )
    signature = hashlib.sha256(repr((user.pk, reach)).encode()).hexdigest()[:24]
    today = timezone.localdate().isoformat()
    key = f"concern-inbox:{signature}:{today}:{_versions({m[1] for m in reach})}"
    found = cache.get(key)
    if found is None:
        visible = concerns_for_user(user, municipality).order_by()
        by_status = {
            row["status"]: row["n"] for row in visible.values("status").annotate(n=Count("pk"))
        }
        by_view = visible.aggregate(
            **{view: Count("pk", filter=view_filter(view, user)) for view in VIEWS}
        )
        found = (by_status, by_view)
        cache.set(key, found, COUNTS_TIMEOUT)
    return found


# Who can be assigned a concern -------------------------------------------------------------


def assignable_users(municipality, concerns) -> list:
    """Active users of the municipality who could handle at least one of `concerns` (the
    concern rules decide: its unit or its project), by name; each with `assign_label`.

    One query: their memberships here are loaded with them and kept on each user, so the
    rules answer without asking the database again."""
    memberships = (
        Membership.objects.filter(
            municipality=municipality,
            role__in=[*HANDLER_ROLES, Role.CASE_HANDLER],
            user__is_active=True,
        )
        .select_related("user", "unit", "project")
        .order_by("user__first_name", "user__last_name", "user__username", "pk")
    )
    grouped: dict[int, tuple] = {}
    for membership in memberships:
        grouped.setdefault(membership.user_id, (membership.user, []))[1].append(membership)
    found = []
    for user, own in grouped.values():
        user._naboskap_memberships = own  # what `memberships_of` would load, for here
        if any(rules.has_perm("concerns.change_concern", user, c) for c in concerns):
            where = [
                m.get_role_display()
                + (f", {m.unit.name}" if m.unit else "")
                + (f", {m.project.name}" if m.project else "")
                for m in own
            ]
            name = user.get_full_name() or user.get_username()
            user.assign_label = f"{name} ({'; '.join(where)})"
            found.append(user)
    return found


SIMILAR_DAYS = 7


def similar_open(concern: Concern) -> QuerySet[Concern]:
    """Open concerns of the same project and category from around the same time: likely
    reports of the same thing."""
    window = timedelta(days=SIMILAR_DAYS)
    return (
        Concern.objects.filter(
            municipality_id=concern.municipality_id,
            project_id=concern.project_id,  # None: the area in general
            category_id=concern.category_id,
            status__in=OPEN,
            created_at__gte=concern.created_at - window,
            created_at__lte=concern.created_at + window,
            merged_into__isnull=True,
        )
        .exclude(pk=concern.pk)
        .order_by("created_at")
    )
