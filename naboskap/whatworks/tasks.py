"""Background work for what works, run by `manage.py db_worker`: a project's effects made
again after a new concern or a changed measure."""

from django_tasks import task

from naboskap.whatworks.services import compute_effects


@task()
def compute_project_effects(project_pk: int) -> int:
    return compute_effects(project_ids=[project_pk])
