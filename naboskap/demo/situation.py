"""Demo situation picture with the police, for both demo projects.

Some neighbours' concerns are marked as relevant for the police (a few of them in the last
quarter), the last quarter has a shared assessment signed by the municipality's coordinator
and the police liaison, and this quarter has a draft: its first version was signed by the
police, then the coordinator changed the text, so version 2 awaits both sign-offs.
Called once from `load_demo`; running it again adds nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from naboskap.concerns import services as concerns
from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import Status
from naboskap.demo.clock import submit_concern
from naboskap.situation import services
from naboskap.situation.models import Assessment, Party

# project slug, key, category, day of the last quarter (0 = its first day), text, where
POLICE_CONCERNS = [
    (
        "solbakken",
        "demo-police-1",
        "threats",
        12,
        "En mann ropte trusler mot barn på lekeplassen sent på kvelden.",
        "Lekeplassen bak Solbakken",
    ),
    (
        "solbakken",
        "demo-police-2",
        "litter",
        30,
        "Brukte sprøyter ved busskuret igjen.",
        "Busskuret i Solbakkveien",
    ),
    (
        "solbakken",
        "demo-police-3",
        "damage",
        47,
        "Knust rute i bodene til borettslaget.",
        "Bodene ved Solbakken 4",
    ),
    (
        "solbakken",
        "demo-police-4",
        "threats",
        70,
        "Slåsskamp på parkeringsplassen natt til lørdag.",
        "Parkeringsplassen",
    ),
    (
        "lindeveien",
        "demo-police-5",
        "traffic",
        20,
        "Biler i høy fart forbi skolen når anleggsområdet stenger.",
        "Lindeveien ved skolen",
    ),
    (
        "lindeveien",
        "demo-police-6",
        "damage",
        55,
        "Tagging og knuste lys på byggegjerdet.",
        "Byggegjerdet mot Lindeveien",
    ),
]

ANSWER = (
    "Takk for at du sa fra. Vi har meldt det til politiet, og det er tatt opp i det faste "
    "møtet mellom kommunen og politikontakten."
)

# Concerns of the demo loader's own list that the police should also count.
ALSO_MARKED = ["demo-1", "demo-3"]

TEXTS = {
    "solbakken": (
        "Kommunen og politiet er enige om at uroen rundt Solbakken i hovedsak gjelder støy "
        "og sprøyter på kveldstid, og noen få alvorlige hendelser med trusler. Hendelsene "
        "samler seg i helgene.\n\n"
        "Tiltak: felles runde med miljøvaktmester og politiet fredager og lørdager, bedre "
        "belysning ved lekeplassen, og vakttelefonen på oppslagstavla. Vi møtes igjen "
        "etter neste kvartal."
    ),
    "lindeveien": (
        "Byggeperioden gir mest trafikk og noe hærverk på byggegjerdet. Politiet ser ingen "
        "grunn til økt bekymring, men følger skoleveien i anleggsperioden.\n\n"
        "Tiltak: trafikkvakt ved skolen i skolestart, og kommunen melder fra om hærverk "
        "samme dag."
    ),
}


def _quarters(today: datetime.date):
    start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_end = start - datetime.timedelta(days=1)
    last_start = datetime.date(last_end.year, 3 * ((last_end.month - 1) // 3) + 1, 1)
    next_start = datetime.date(
        start.year + (start.month == 10), 1 if start.month == 10 else start.month + 3, 1
    )
    return (last_start, last_end), (start, next_start - datetime.timedelta(days=1))


def load_situation(projects, users) -> None:
    coordinator, police = users["koordinator"], users["politi"]
    (last_start, last_end), (this_start, this_end) = _quarters(timezone.localdate())
    municipality = next(iter(projects.values())).municipality
    concerns.categories_ensure_defaults(municipality=municipality)
    categories = {c.code: c for c in Category.objects.filter(municipality=municipality)}
    zone = timezone.get_current_timezone()
    for slug, key, code, day, text, where in POLICE_CONCERNS:
        when = datetime.datetime.combine(
            last_start + datetime.timedelta(days=day), datetime.time(22, 30), tzinfo=zone
        )
        # Handled as the routine says: acknowledged the next morning, answered in two days.
        concern, _created = submit_concern(
            received=when,
            steps=[(Status.ACKNOWLEDGED, 10), (Status.ANSWERED, 40), (Status.CLOSED, 64)],
            by=coordinator,
            answer=ANSWER,
            project=projects[slug],
            category=categories[code],
            idempotency_key=key,
            description=text,
            location=where,
            occurred_at=when,
            preferred_channel=Concern.Channel.NONE,
        )
        concerns.concern_mark_police_relevant(concern=concern, relevant=True, by=coordinator)
    for concern in Concern.objects.filter(
        municipality=municipality, idempotency_key__in=ALSO_MARKED
    ):
        concerns.concern_mark_police_relevant(concern=concern, relevant=True, by=coordinator)

    for slug, project in projects.items():
        if not Assessment.objects.filter(
            project=project, period_start=last_start, period_end=last_end
        ).exists():
            signed = services.assessment_create(
                project=project,
                period_start=last_start,
                period_end=last_end,
                text=TEXTS[slug],
                by=coordinator,
            )
            services.assessment_sign(assessment=signed, version=1, party=Party.POLICE, by=police)
            services.assessment_sign(
                assessment=signed, version=1, party=Party.MUNICIPALITY, by=coordinator
            )
        if not Assessment.objects.filter(
            project=project, period_start=this_start, period_end=this_end
        ).exists():
            draft = services.assessment_create(
                project=project,
                period_start=this_start,
                period_end=this_end,
                text="Utkast: så langt i kvartalet færre hendelser enn forrige kvartal.",
                by=police,
            )
            services.assessment_sign(assessment=draft, version=1, party=Party.POLICE, by=police)
            services.assessment_edit(
                assessment=draft,
                text=(
                    "Utkast: så langt i kvartalet færre hendelser enn forrige kvartal. "
                    "Kommunen legger til: den felles runden i helgene fortsetter."
                ),
                based_on=1,
                by=coordinator,
            )
