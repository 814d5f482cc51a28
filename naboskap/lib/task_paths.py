"""Queued background tasks keep the dotted path of their function (`DBTaskResult.task_path`).
When a task function moves to another module, a migration points the rows queued before the
deploy at the new path, so the worker still finds them."""

from django.db import migrations


def move_task(old: str, new: str) -> migrations.RunPython:
    """A reversible migration operation that renames a task path in the queue."""

    def rename(apps, frm: str, to: str) -> None:
        results = apps.get_model("django_tasks_database", "DBTaskResult").objects
        results.filter(task_path=frm).update(task_path=to)

    return migrations.RunPython(
        lambda apps, schema_editor: rename(apps, old, new),
        lambda apps, schema_editor: rename(apps, new, old),
    )
