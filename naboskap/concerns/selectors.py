"""Reads about concerns that several pages share."""

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
