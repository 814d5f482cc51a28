"""Demo checklists: the shipped routines applied to Fjordvik's two projects, some tasks done.

Called once from `load_demo`; running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from naboskap.routines import services
from naboskap.routines.models import ProjectTask, Routine
from naboskap.routines.shipped import NABORAD, NABOSKAPSARBEID

# project slug, routine, milestone dates (days from today), tasks done: (title, update title
# or None, note)
PLAN = [
    (
        "lindeveien",
        NABOSKAPSARBEID,
        {"first_dialogue_meeting": -7, "political_hearing": 45, "political_decision": 75},
        [
            ("Legg ansvaret for dialogen ett sted", None, "Kari Nordmann er dialogansvarlig."),
            ("Gjør en steds- og prosessanalyse", None, "Analysen ligger i prosjektmappa."),
            (
                "Kunngjør prosjektet på nett og i media",
                "Kommunen planlegger boliger i Lindeveien",
                "",
            ),
            ("Inviter lokalmiljøet til dialogmøte", "Invitasjon til dialogmøte", ""),
            (
                "Gjennomfør dialogmøtet med en ROS-analyse",
                None,
                "Møtet på Lindeveien skole; 34 deltakere, ROS-analysen er under arbeid.",
            ),
            ("Oppsummer dialogmøtet for naboene", "Oppsummering fra dialogmøtet", ""),
        ],
    ),
    (
        "solbakken",
        NABORAD,
        {"forste-nabomote": -5 * 365, "sommerfest": 200, "julefest": 14},
        [
            ("Kall inn alle naboene til møte", None, "Alle naboene fikk brev i postkassa."),
            ("Kartlegg utfordringene i møtet", None, "Trafikk og støy om kvelden."),
            ("Kall inn til nytt møte med forslag til tiltak", None, "Forslag: et naboråd."),
            ("Dann naborådet med naboer, beboere og ansatte", None, "Leder er en av naboene."),
            (
                "Sørg for at beboerne er representert og har eget formøte",
                "Referat fra naborådet",
                "",
            ),
            (
                "Gjør kjent hvor naboene kan ta kontakt",
                None,
                "Telefon og vakttelefon står på prosjektsiden.",
            ),
            ("Hold faste møter i naborådet", "Referat fra naborådet", ""),
            ("Planlegg julefesten", "Invitasjon til julefest", ""),
        ],
    ),
]


def load_routines(projects: dict, users: dict) -> None:
    services.routines_load_shipped()
    by = {"lindeveien": users["koordinator"], "solbakken": users["botiltak"]}
    for slug, content, milestones, done in PLAN:
        project = projects[slug]
        if project.routines.filter(routine__slug=content["slug"]).exists():
            continue
        routine = Routine.objects.get(
            municipality__isnull=True, slug=content["slug"], status=Routine.Status.PUBLISHED
        )
        services.project_routine_apply(project=project, routine=routine, applied_by=by[slug])
        names = {m["key"]: m["name"] for m in content["milestones"]}
        today = timezone.localdate()
        services.project_milestones_set(
            project=project,
            dates={
                key: (names.get(key, key), today + timedelta(days=days))
                for key, days in milestones.items()
            },
        )
        for title, update_title, note in done:
            task = ProjectTask.objects.get(project=project, title=title)
            update = project.updates.filter(title=update_title).first() if update_title else None
            services.project_task_complete(
                task=task,
                status=ProjectTask.Status.DONE,
                by=by[slug],
                evidence_update=update,
                evidence_note=note,
            )
