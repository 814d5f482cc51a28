"""Demo data for the dashboards: Lindeveien's first dialogue meeting, already held, so the
project dashboard's council activity has a meeting (its next one is in the future).
Everything else on the dashboards comes from the other demo data. Idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from naboskap.demo.clock import DIALOGUE_HELD_DAYS_AGO
from naboskap.meetings import services
from naboskap.meetings.models import Meeting

TITLE = "Første dialogmøte om Lindeveien"


def load_dashboards(projects, users) -> None:
    lindeveien = projects["lindeveien"]
    if Meeting.objects.filter(project=lindeveien, title=TITLE).exists():
        return
    # 17:00 local time on the day (in UTC it may be another day, near midnight).
    held = timezone.localdate() - timedelta(days=DIALOGUE_HELD_DAYS_AGO)
    starts = timezone.make_aware(datetime.combine(held, time(17, 0)))
    services.meeting_create(
        project=lindeveien,
        created_by=users["koordinator"],
        kind=Meeting.Kind.DIALOGUE,
        title=TITLE,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Aulaen, Lindeveien skole",
        description="Kommunen orienterte om planene og tok imot spørsmål og innspill.",
        is_public=False,
    )
