"""The inputs' task moved from `plans.input_tasks` to `plans.inputs.tasks` (issue 20): rows
queued before the deploy follow it."""

from django.db import migrations

from naboskap.lib.task_paths import move_task


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0008_input_decided_contact_erased"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        move_task(
            "naboskap.plans.input_tasks.input_submitted",
            "naboskap.plans.inputs.tasks.input_submitted",
        )
    ]
