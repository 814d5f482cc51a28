"""Demo action plans: measures for Fjordvik's two projects, some from the demo concerns, some
overdue, some shown on the public page, with the units taking part.

Called once from `load_demo` (after the concerns); running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from naboskap.concerns.models import Concern
from naboskap.plans import services
from naboskap.plans.models import Measure, Participation
from naboskap.tenancy.models import Unit

R, A, C, INF = (
    Participation.Part.RESPONSIBLE,
    Participation.Part.ACCOUNTABLE,
    Participation.Part.CONSULTED,
    Participation.Part.INFORMED,
)

# project slug: (title, owner unit, due in days (negative: overdue), status, progress,
# {unit: part}, concern idempotency key or None, public text or "", internal description)
MEASURES = {
    "lindeveien": [
        (
            "Fast kontaktperson for naboene",
            "Helse og sosial",
            14,
            Measure.Status.IN_PROGRESS,
            50,
            {"Kommunikasjon": C, "Eiendom": INF},
            None,
            "Naboene får én fast kontaktperson i kommunen, med telefon og e-post på denne siden.",
            "Kari Nordmann tar rollen til innflytting; deretter botiltakets leder.",
        ),
        (
            "Sikker skolevei i anleggsperioden",
            "Plan og bygg",
            -5,
            Measure.Status.IN_PROGRESS,
            30,
            {"Eiendom": A, "Kommunikasjon": INF},
            "demo-4",
            "Anleggstrafikken går via Industrivegen, og det står vakt ved krysset når skolen "
            "begynner og slutter.",
            "Krav i kontrakten med entreprenøren; FAU varsles før oppstart.",
        ),
        (
            "Dialogmøte med velforeningen og FAU",
            "Kommunikasjon",
            21,
            Measure.Status.PLANNED,
            0,
            {"Helse og sosial": R, "Eiendom": C},
            None,
            "",
            "Invitasjon sendes tre uker før. Referat legges ut på prosjektsiden.",
        ),
        (
            "Steds- og prosessanalyse",
            "Plan og bygg",
            -20,
            Measure.Status.DONE,
            100,
            {"Helse og sosial": C},
            None,
            "",
            "Kartlegging av skoler, barnehager og lekeplasser innenfor 500 meter.",
        ),
    ],
    "solbakken": [
        (
            "Ro i hagen etter klokka 23",
            "Solbakken botiltak",
            -3,
            Measure.Status.IN_PROGRESS,
            60,
            {"Helse og sosial": A, "Eiendom": INF},
            "demo-1",
            "Botiltaket har innført ro i hagen etter klokka 23, og personalet går en runde "
            "hver kveld.",
            "Tas opp på husmøtet; nattevakt følger opp.",
        ),
        (
            "Mandagsrunden utvides til lekeplassen",
            "Eiendom",
            -10,
            Measure.Status.PLANNED,
            0,
            {"Solbakken botiltak": R, "Helse og sosial": C},
            "demo-3",
            "Miljøvaktmesterens faste ryddetur hver mandag går nå også rundt lekeplassen.",
            "Sprøyteboks ved inngangen; rutine for funn av brukerutstyr.",
        ),
        (
            "Skilting og parkeringsforbud i svingen",
            "Plan og bygg",
            30,
            Measure.Status.PLANNED,
            10,
            {"Eiendom": C, "Kommunikasjon": INF},
            "demo-2",
            "",
            "Søknad om skilt er sendt veimyndigheten.",
        ),
        (
            "Sommerfest for naboer og beboere",
            "Solbakken botiltak",
            45,
            Measure.Status.PLANNED,
            0,
            {"Kommunikasjon": C},
            None,
            "Sommerfest i hagen for naboer og beboere i juni.",
            "Budsjett 8 000 kr; naborådet planlegger.",
        ),
        (
            "Egen parkeringsplass for besøkende",
            "Eiendom",
            -30,
            Measure.Status.CANCELLED,
            0,
            {},
            None,
            "",
            "Tomta er for liten.",
        ),
    ],
}


def load_plans(projects: dict, users: dict) -> None:
    """Measures for each demo project, through plans.services; skipped for a project that
    already has measures."""
    today = timezone.localdate()
    coordinator = users["koordinator"]
    for slug, items in MEASURES.items():
        project = projects[slug]
        if Measure.objects.filter(project=project).exists():
            continue
        units = {u.name: u for u in Unit.objects.filter(municipality=project.municipality)}
        concerns = {
            c.idempotency_key: c
            for c in Concern.objects.filter(project=project, idempotency_key__startswith="demo-")
        }
        for title, owner, due, status, progress, parts, key, public, description in items:
            services.measure_create(
                project=project,
                created_by=coordinator,
                title=title,
                description=description,
                owner_unit=units[owner],
                responsible=coordinator if owner == "Helse og sosial" else None,
                due_date=today + timedelta(days=due),
                status=status,
                progress=progress,
                cancel_reason="Tomta er for liten." if status == Measure.Status.CANCELLED else "",
                concern=concerns.get(key) if key else None,
                is_public=bool(public),
                public_text=public,
                phase=project.phase,
                participations={units[name]: part for name, part in parts.items()},
            )
