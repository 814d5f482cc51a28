"""Demo data that happened in the past, made by the real operations at the time it happened.

The demo's concerns are received, acknowledged and answered on different days. Setting
`created_at` afterwards would leave every deadline, every acknowledgement and every answer
at the moment the demo was loaded (a concern from July "due in December", "100 % answered in
time" beside "118 days to the first answer"). Instead, the services run with Django's clock
set to the moment each step happened, so deadlines, history rows, messages and the figures the
dashboards compute all agree, as they would have in real use.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from naboskap.concerns import services as concerns
from naboskap.concerns.workflow import Status

# Lindeveien's dialogue meeting with the ROS analysis was held this many days ago; every part
# of the demo that mentions it (the meeting, the analysis, the place analysis's timeline, the
# contact log) uses this one date. The next dialogue meeting is this many days ahead.
DIALOGUE_HELD_DAYS_AGO = 45
NEXT_DIALOGUE_IN_DAYS = 14


@contextmanager
def at(when: datetime.datetime) -> Iterator[None]:
    """Django's `timezone.now()` (and so `localdate()`, `auto_now_add`) answers `when`."""
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def days_ago(days: float, *, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A local time of day, `days` days before today (a weekday is not guaranteed)."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def submit_concern(*, received: datetime.datetime, steps=(), by=None, answer: str = "", **fields):
    """A concern received at `received` through the public form's operation, then moved
    through `steps`: (status, hours after it was received), each at its own time.

    Returns (concern, created); an existing concern (same idempotency key) is left as it is.
    """
    with at(received):
        concern, created = concerns.concern_submit(**fields)
    if not created:
        return concern, created
    now = timezone.now()
    for status, hours in steps:
        when = received + datetime.timedelta(hours=hours)
        if when > now:
            break  # not yet: a step in the future has not happened
        with at(when):
            concerns.concern_transition(
                concern=concern,
                to_status=status,
                by=by,
                answer=answer if status == Status.ANSWERED else "",
            )
    return concern, created
