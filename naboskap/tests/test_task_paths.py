"""A task queued before its function moved still runs after the migration that follows it."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

MIGRATIONS = [
    ("naboskap.plans.migrations.0009_move_queued_input_task", "plans.input_tasks.input_submitted"),
    (
        "naboskap.meetings.migrations.0006_move_queued_minutes_task",
        "meetings.minutes_tasks.send_minutes_for_comments",
    ),
]


@pytest.mark.parametrize(("module", "old"), MIGRATIONS)
def test_a_queued_task_follows_its_function_to_the_new_module(module, old):
    operation = importlib.import_module(module).Migration.operations[0]
    queued = DBTaskResult.objects.create(
        task_path=f"naboskap.{old}",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
    )
    finished = DBTaskResult.objects.create(
        task_path="naboskap.projects.tasks.something_else",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
    )
    operation.code(apps, None)
    queued.refresh_from_db()
    assert queued.task_path != f"naboskap.{old}"
    assert import_string(queued.task_path).name == old.rsplit(".", 1)[1]
    finished.refresh_from_db()
    assert finished.task_path == "naboskap.projects.tasks.something_else"
    operation.reverse_code(apps, None)  # a rollback puts it back
    queued.refresh_from_db()
    assert queued.task_path == f"naboskap.{old}"
