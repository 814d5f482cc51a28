"""The schedule tasks moved from `reports.tasks` to `reports.schedules` (issue 20), with the
function they run: rows queued before the deploy follow them."""

from django.db import migrations

from naboskap.lib.task_paths import move_task


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        move_task(
            f"naboskap.reports.tasks.{name}", f"naboskap.reports.schedules.{name}"
        )
        for name in ("run_report_schedule", "run_due_report_schedules")
    ]
