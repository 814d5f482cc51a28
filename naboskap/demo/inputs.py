"""Demo inputs ("Du sa – vi gjorde"): what neighbours said about Fjordvik's two projects,
some decided and published with the measures they led to, some waiting for moderation.

Called once from `load_demo`; running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from naboskap.plans import services
from naboskap.plans.models import Input, Measure
from naboskap.tenancy.models import Unit

Origin, D = Input.Origin, Input.Decision

# project slug: (text, origin, from whom, theme, days ago, decision, reason, public text or
# "" (not published), measures: (title, owner unit, due in days, status, public text or ""))
INPUTS = {
    "lindeveien": [
        (
            "Mange av oss er bekymret for trafikken i Lindeveien når skolebarna går til skolen. "
            "Kan det bli fartsdumper?",
            Origin.MEETING,
            "Velforeningen i Lindeveien",
            "Trafikk",
            20,
            D.ADOPTED,
            "Vi legger fartsdumper før byggingen starter, og byggetrafikken holdes unna "
            "skoleveien mellom kl. 7.30 og 8.30.",
            "Naboene er bekymret for trafikken på skoleveien og ønsker fartsdumper.",
            [
                (
                    "Fartsdumper i Lindeveien",
                    "Plan og bygg",
                    30,
                    Measure.Status.PLANNED,
                    "Fartsdumper i Lindeveien før byggingen starter.",
                ),
                (
                    "Avtale med entreprenør om byggetrafikk",
                    "Eiendom",
                    10,
                    Measure.Status.IN_PROGRESS,
                    "",
                ),
            ],
        ),
        (
            "Vi vil gjerne vite hvem vi kan ringe hvis noe skjer om kvelden.",
            Origin.INTERACTION,
            "",
            "Kontakt",
            18,
            D.ADOPTED,
            "Prosjektet får en fast kontaktperson med telefonnummer på denne siden.",
            "Naboene ønsker å vite hvem de kan kontakte om kvelden.",
            [("Kontaktkort til alle naboene", "Kommunikasjon", -5, Measure.Status.DONE, "")],
        ),
        (
            "Boligene bør heller bygges et annet sted i kommunen.",
            Origin.LETTER,
            "",
            "Plassering",
            15,
            D.NOT_ADOPTED,
            "Tomten er valgt etter en samlet vurdering i bystyret, og vedtaket står.",
            "Noen mener boligene bør bygges et annet sted.",
            [],
        ),
        (
            "Kan lekeplassen ved boligene være åpen for alle barna i nabolaget?",
            Origin.EMAIL,
            "",
            "Uteområdet",
            9,
            D.UNDER_CONSIDERATION,
            "",
            "Ønske om at lekeplassen blir åpen for hele nabolaget.",
            [],
        ),
    ],
    "solbakken": [
        (
            "Det er mye støy fra parkeringsplassen sent om kvelden. Kan det settes opp et skilt?",
            Origin.MEETING,
            "Naborådet på Solbakken",
            "Støy",
            40,
            D.PARTLY_ADOPTED,
            "Vi setter opp skilt og ber de ansatte om å minne om ro etter kl. 22. En støyskjerm "
            "er for dyr i år.",
            "Støy fra parkeringsplassen om kvelden.",
            [
                (
                    "Skilt om ro etter kl. 22",
                    "Solbakken botiltak",
                    -10,
                    Measure.Status.DONE,
                    "Skilt om ro på parkeringsplassen etter kl. 22.",
                )
            ],
        ),
        (
            "Sommerfesten i fjor var fin. Kan vi ha en julefest også?",
            Origin.MEETING,
            "",
            "Fellesskap",
            30,
            D.ADOPTED,
            "Naborådet planlegger julefest i desember.",
            "Ønske om en julefest for naboer og beboere.",
            [
                (
                    "Julefest for naboer og beboere",
                    "Solbakken botiltak",
                    14,
                    Measure.Status.PLANNED,
                    "",
                )
            ],
        ),
    ],
}

# Suggestions from the public form, waiting for moderation: (text, theme, email)
PENDING = {
    "lindeveien": [
        ("Kan det bli flere benker langs turstien bak skolen?", "Uteområdet", ""),
        ("Når starter egentlig byggingen? Jeg finner ikke datoen.", "", "nabo@example.org"),
    ],
    "solbakken": [("Gatelyset ved innkjørselen er ødelagt.", "Trygghet", "")],
}


def load_inputs(projects: dict, users: dict) -> None:
    by = users["koordinator"]
    today = timezone.localdate()
    for slug, project in projects.items():
        if project.inputs.exists():
            continue
        units = {u.name: u for u in Unit.objects.filter(municipality=project.municipality)}
        for text, origin, who, theme, ago, decision, reason, public, measures in INPUTS[slug]:
            input = services.input_register(
                project=project,
                created_by=by,
                text=text,
                origin=origin,
                from_whom=who,
                theme=theme,
                received_on=today - timedelta(days=ago),
            )
            services.input_decide(input=input, decision=decision, decision_reason=reason)
            if public:
                services.input_publish(input=input, public_text=public)
            for title, unit, due, status, measure_text in measures:
                services.input_create_measure(
                    input=input,
                    created_by=by,
                    title=title,
                    owner_unit=units[unit],
                    due_date=today + timedelta(days=due),
                    status=status,
                    is_public=bool(measure_text),
                    public_text=measure_text,
                )
        for n, (text, theme, email) in enumerate(PENDING[slug]):
            services.input_submit_public(
                project=project,
                idempotency_key=f"demo-{slug}-suggestion-{n}",
                text=text,
                theme=theme,
                contact_email=email,
            )
