"""Reads about concerns that several pages share."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from naboskap.concerns.models import Concern
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


def counts_by_status(concerns: QuerySet[Concern]) -> dict[str, int]:
    rows = concerns.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


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
