"""Reads about concerns that several pages share."""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from naboskap.concerns.models import Concern, CountsVersion
from naboskap.concerns.rules import HANDLER_ROLES
from naboskap.concerns.workflow import OPEN
from naboskap.tenancy.models import Role
from naboskap.tenancy.rules import memberships_of


def concerns_for_user(user) -> QuerySet[Concern]:
    """Every concern the user may see (the same circle as `concerns.rules.handles_concern`)."""
    reach = Q(pk__in=[])
    for m in memberships_of(user):
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


def counts_by_status(user) -> dict[str, int]:
    """How many of the concerns the user may see are in each status."""
    reach = sorted(
        (m.role, m.municipality_id, m.project_id or 0, m.unit_id or 0) for m in memberships_of(user)
    )
    signature = hashlib.sha256(repr(reach).encode()).hexdigest()[:24]
    key = f"concern-counts:{signature}:{_versions({m[1] for m in reach})}"
    counts = cache.get(key)
    if counts is None:
        rows = concerns_for_user(user).order_by().values("status").annotate(n=Count("pk"))
        counts = {row["status"]: row["n"] for row in rows}
        cache.set(key, counts, COUNTS_TIMEOUT)
    return counts


SIMILAR_DAYS = 7


def similar_open(concern: Concern) -> QuerySet[Concern]:
    """Open concerns of the same project and category from around the same time: likely
    reports of the same thing."""
    window = timedelta(days=SIMILAR_DAYS)
    return (
        Concern.objects.filter(
            project_id=concern.project_id,
            category_id=concern.category_id,
            status__in=OPEN,
            created_at__gte=concern.created_at - window,
            created_at__lte=concern.created_at + window,
            merged_into__isnull=True,
        )
        .exclude(pk=concern.pk)
        .order_by("created_at")
    )
