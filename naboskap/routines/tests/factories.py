"""Routines for tests, built through the same import as a shared file."""

from naboskap.routines import services
from naboskap.routines.models import ProjectTask


def task_data(title="Informer naboene", anchor=None, offset_days=14, role="coordinator"):
    return {
        "title": title,
        "guidance": "Slik gjør du det.",
        "responsible_role": role,
        "anchor": anchor or {"phase": "planning"},
        "offset_days": offset_days,
    }


def routine_data(slug="testrutine", name="Testrutine", phases=None, milestones=()):
    if phases is None:
        phases = [
            {
                "order": 1,
                "name": "Planlegging",
                "project_phase": "planning",
                "tasks": [
                    task_data(),
                    task_data("Orienter politikerne", {"milestone": "political_hearing"}, -28),
                ],
            },
            {
                "order": 2,
                "name": "Innflytting",
                "project_phase": "move_in",
                "tasks": [task_data("Fortell om innflyttingen", {"phase": "move_in"}, -14)],
            },
        ]
    return {
        "slug": slug,
        "name": name,
        "description": "En rutine for testene.",
        "milestones": list(milestones),
        "phases": phases,
    }


def make_routine(municipality=None, *, publish=True, **kwargs):
    return services.routine_import(
        data=routine_data(**kwargs), municipality=municipality, created_by=None, publish=publish
    )


def apply_routine(project, routine=None, by=None):
    routine = routine or make_routine(project.municipality)
    services.project_routine_apply(project=project, routine=routine, applied_by=by)
    return routine


def project_task(project, role="facility_staff"):
    """A task in the project's checklist with the given responsible role."""
    routine = make_routine(
        project.municipality,
        slug=f"rolle-{role}",
        phases=[
            {
                "order": 1,
                "name": "Drift",
                "project_phase": "operation",
                "tasks": [task_data("Hold naborådsmøte", {"phase": "operation"}, 30, role)],
            }
        ],
    )
    apply_routine(project, routine)
    return ProjectTask.objects.get(project=project, project_routine__routine=routine)
