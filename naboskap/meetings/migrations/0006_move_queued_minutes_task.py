"""The minutes' task moved from `meetings.minutes_tasks` to `meetings.minutes.tasks` (issue 20):
rows queued before the deploy follow it."""

from django.db import migrations

from naboskap.lib.task_paths import move_task


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_member_login_letters"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        move_task(
            "naboskap.meetings.minutes_tasks.send_minutes_for_comments",
            "naboskap.meetings.minutes.tasks.send_minutes_for_comments",
        )
    ]
