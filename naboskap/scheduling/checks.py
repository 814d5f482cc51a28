"""Start-up check: every SCHEDULE_<NAME> names a job and holds a valid cron expression."""

from cronsim import CronSim, CronSimError
from django.conf import settings
from django.core.checks import Error, register
from django.utils import timezone

from naboskap.scheduling import jobs


@register()
def schedules_valid(app_configs, **kwargs):
    errors = []
    names = {job.name for job in jobs.JOBS}
    for name in settings.JOB_SCHEDULES:
        if name not in names:
            errors.append(
                Error(
                    f"SCHEDULE_{name.upper()} names no job",
                    hint="Jobs: " + ", ".join(sorted(names)),
                    id="naboskap.E020",
                )
            )
    for job in jobs.JOBS:
        schedule = jobs.schedule_of(job)
        if schedule is None:
            continue
        try:
            CronSim(schedule, timezone.now())
        except CronSimError as exc:
            errors.append(
                Error(
                    f"The schedule of {job.name} ({schedule!r}) is not a cron expression: {exc}",
                    hint="Five fields: minute hour day-of-month month day-of-week, or 'off'.",
                    id="naboskap.E021",
                )
            )
    return errors


@register()
def worker_timing_valid(app_configs, **kwargs):
    """A worker must say it is alive at least twice before it may count as gone: otherwise
    the tasks of a worker that is running are queued again."""
    beat, lost = settings.WORKER_HEARTBEAT_SECONDS, settings.WORKER_LOST_SECONDS
    if beat < 1 or lost < 2 * beat:
        return [
            Error(
                f"WORKER_LOST_SECONDS ({lost}) must be at least twice "
                f"WORKER_HEARTBEAT_SECONDS ({beat}), which must be at least 1",
                id="naboskap.E022",
            )
        ]
    return []
