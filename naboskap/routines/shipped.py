"""The routines shipped with Naboskap, written from the two seed examples (content, in bokmål).

They are in the exchange format (see `schema`) and loaded through the same import as a file
from another municipality, by `manage.py load_routines`. Changing one here and running the
command again publishes it as the next version; projects keep the tasks they have.
"""

from naboskap.routines import schema


def _task(title, guidance, role, anchor, offset_days):
    kind = "milestone" if anchor in MILESTONE_ANCHORS else "phase"
    return {
        "title": title,
        "guidance": guidance,
        "responsible_role": role,
        "anchor": {kind: anchor},
        "offset_days": offset_days,
    }


MILESTONE_ANCHORS = {
    "political_hearing",
    "political_decision",
    "first_dialogue_meeting",
    "move_in_day",
    "forste-nabomote",
    "sommerfest",
    "julefest",
}

NABOSKAPSARBEID = {
    "slug": "naboskapsarbeid-kommunale-boligprosjekter",
    "name": "Naboskapsarbeid i kommunale boligprosjekter",
    "description": (
        "Målrettet naboskapsarbeid fra idé til drift: forstå motstanden, informer tidlig, "
        "inviter til dialog med ROS-analyse og lag tiltaks- og samhandlingsplanen sammen med "
        "naboene. Målet er at de som flytter inn føler seg akseptert, og at de som allerede "
        "bor der føler seg trygge."
    ),
    "milestones": [],
    "phases": [
        {
            "order": 1,
            "name": "Forberedelse og analyse",
            "project_phase": "idea",
            "tasks": [
                _task(
                    "Legg ansvaret for dialogen ett sted",
                    "Utpek én dialogansvarlig som eier dialogen med naboene gjennom hele "
                    "prosjektet. Naboene skal vite hvem de snakker med.",
                    "admin",
                    "idea",
                    14,
                ),
                _task(
                    "Gjør en steds- og prosessanalyse",
                    "Kartlegg nabolaget og prosessen så langt: skoler, barnehager og "
                    "lekeplasser i nærheten, velforeninger, FAU og borettslag, hvem som er "
                    "bekymret og hvorfor, og hva som har skjedd tidligere. Analysen er "
                    "kunnskapsgrunnlaget for å forstå motstand og uenighet.",
                    "coordinator",
                    "idea",
                    30,
                ),
                _task(
                    "Lag en plan for samlet innsats fra berørte kommunale enheter",
                    "Prosjektet må eies hele veien og samtidig av alle berørte enheter: "
                    "eiendom, helse og sosial, kommunikasjon, plan og bygg. Avklar hvem som "
                    "bidrar med hva i hver fase.",
                    "coordinator",
                    "idea",
                    30,
                ),
            ],
        },
        {
            "order": 2,
            "name": "Tidlig informasjon",
            "project_phase": "planning",
            "tasks": [
                _task(
                    "Kunngjør prosjektet på nett og i media",
                    "Vær tidlig ute, gjerne i planstadiet. Fortell hva som er planlagt, "
                    "hvorfor, når det skjer og hvem naboene kan kontakte. Publiser "
                    "prosjektsiden og en første oppdatering.",
                    "coordinator",
                    "planning",
                    14,
                ),
                _task(
                    "Opprett ett sted å melde bekymring og uro",
                    "Naboene skal ha ett sted å melde fra, og få svar. Legg inn "
                    "kontaktpunkter på prosjektsiden og sørg for at meldinger blir fulgt opp.",
                    "coordinator",
                    "planning",
                    14,
                ),
                _task(
                    "Informer det politiske nivået",
                    "Politikere blir ofte satt under press gjennom enkelthenvendelser. Gi "
                    "dem en samlet orientering om prosjektet, dialogen og risikobildet før "
                    "saken behandles.",
                    "coordinator",
                    "political_hearing",
                    -28,
                ),
            ],
        },
        {
            "order": 3,
            "name": "Dialogmøte med ROS-analyse",
            "project_phase": "planning",
            "tasks": [
                _task(
                    "Inviter lokalmiljøet til dialogmøte",
                    "Inviter velforeninger, FAU/skole og borettslag i god tid før oppstart. "
                    "Send invitasjon til naboene i nærområdet.",
                    "coordinator",
                    "first_dialogue_meeting",
                    -21,
                ),
                _task(
                    "Gjennomfør dialogmøtet med en ROS-analyse",
                    "Kartlegg sammen med naboene uønskede hendelser som har skapt eller kan "
                    "skape utrygghet, og vurder sannsynlighet og konsekvens. Målet er å "
                    "planlegge, forhindre og redusere konsekvensene, og finne "
                    "forbedringsområder.",
                    "coordinator",
                    "first_dialogue_meeting",
                    0,
                ),
                _task(
                    "Oppsummer dialogmøtet for naboene",
                    "Publiser en oppsummering av hva som kom fram og hva kommunen gjør med "
                    "innspillene.",
                    "coordinator",
                    "first_dialogue_meeting",
                    14,
                ),
            ],
        },
        {
            "order": 4,
            "name": "Tiltaks- og samhandlingsplan",
            "project_phase": "planning",
            "tasks": [
                _task(
                    "Lag tiltaks- og samhandlingsplanen sammen med naboene",
                    "Representanter for nabolaget og for beboerne deltar i arbeidsgruppen. "
                    "Hvert tiltak får en ansvarlig enhet og en frist.",
                    "coordinator",
                    "first_dialogue_meeting",
                    42,
                ),
                _task(
                    "Bli enige med politiet om en felles beskrivelse av situasjonen",
                    "Samarbeid med politiet om et felles situasjonsbilde, slik at kommunen "
                    "og politiet beskriver utfordringene likt overfor naboene.",
                    "police",
                    "first_dialogue_meeting",
                    42,
                ),
                _task(
                    "Juster løsningen der det er mulig",
                    "Vurder innspill og forslag fra naboene, og fortell hva som ble tatt "
                    "med og hvorfor andre ikke ble det.",
                    "coordinator",
                    "political_decision",
                    -14,
                ),
            ],
        },
        {
            "order": 5,
            "name": "Bygging",
            "project_phase": "construction",
            "tasks": [
                _task(
                    "Informer naboene før byggestart",
                    "Fortell om anleggstrafikk, arbeidstider og hvem naboene kan kontakte "
                    "under byggingen.",
                    "coordinator",
                    "construction",
                    -14,
                ),
                _task(
                    "Følg opp tiltaksplanen under byggingen",
                    "Gå gjennom tiltakene og gi naboene en oppdatering om status.",
                    "coordinator",
                    "construction",
                    90,
                ),
            ],
        },
        {
            "order": 6,
            "name": "Innflytting",
            "project_phase": "move_in",
            "tasks": [
                _task(
                    "Fortell naboene om innflyttingen og hvor de kan ringe",
                    "Gi naboene kontaktinformasjon til personalet og vakttelefonen, og "
                    "fortell hva som skjer de første ukene.",
                    "facility_staff",
                    "move_in",
                    -14,
                ),
                _task(
                    "Følg opp nabolaget etter innflytting",
                    "Snakk med velforeningen og naboene, gå gjennom meldingene og vurder om "
                    "ROS-analysen må oppdateres.",
                    "coordinator",
                    "move_in",
                    90,
                ),
            ],
        },
        {
            "order": 7,
            "name": "Drift",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Evaluer tiltaksplanen og ROS-analysen med naboene",
                    "Et år etter oppstart: hva virket, hva må endres, og er naboene og "
                    "beboerne trygge?",
                    "coordinator",
                    "operation",
                    365,
                ),
            ],
        },
    ],
}

NABORAD = {
    "slug": "naborad-ved-botiltak",
    "name": "Naboråd ved botiltak",
    "description": (
        "Et naboråd med mandatet «et trygt bomiljø for alle»: naboer, beboere og ansatte møtes "
        "jevnlig for å finne løsninger sammen. Vi snakker med, ikke om. Det skal være kjent "
        "for naboene hvor de kan ta kontakt når noe skjer."
    ),
    "milestones": [
        {"key": "forste-nabomote", "name": "Første nabomøte"},
        {"key": "sommerfest", "name": "Sommerfest"},
        {"key": "julefest", "name": "Julefest"},
    ],
    "phases": [
        {
            "order": 1,
            "name": "Inviter alle naboene",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Kall inn alle naboene til møte",
                    "Lederen for tjenesten, en rådgiver fra kommunens stab og lederen på "
                    "botiltaket inviterer sammen. Alle naboer skal få invitasjonen.",
                    "facility_staff",
                    "forste-nabomote",
                    -21,
                ),
            ],
        },
        {
            "order": 2,
            "name": "Kartlegg utfordringene",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Kartlegg utfordringene i møtet",
                    "La naboene fortelle hva som er vanskelig, for eksempel trafikk og "
                    "støy. Skriv ned alt, uten å diskutere løsninger ennå.",
                    "coordinator",
                    "forste-nabomote",
                    0,
                ),
            ],
        },
        {
            "order": 3,
            "name": "Foreslå tiltak",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Kall inn til nytt møte med forslag til tiltak",
                    "Kom tilbake med forslag til hvordan utfordringene kan møtes. "
                    "Kommunikasjon er ofte det viktigste virkemiddelet.",
                    "coordinator",
                    "forste-nabomote",
                    42,
                ),
            ],
        },
        {
            "order": 4,
            "name": "Dann naborådet",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Dann naborådet med naboer, beboere og ansatte",
                    "Naborådet har leder fra naboene. Botiltaket er sekretariat og "
                    "administrerer naborådet.",
                    "facility_staff",
                    "forste-nabomote",
                    56,
                ),
                _task(
                    "Sørg for at beboerne er representert og har eget formøte",
                    "Saker som skal opp i naborådet drøftes først i et eget møte for "
                    "beboerne på botiltaket.",
                    "facility_staff",
                    "forste-nabomote",
                    56,
                ),
                _task(
                    "Gjør kjent hvor naboene kan ta kontakt",
                    "Legg inn telefon og vakttelefon som kontaktpunkt, slik at naboene vet "
                    "hvor de ringer når noe skjer. Vær «på» med en gang situasjoner oppstår.",
                    "facility_staff",
                    "forste-nabomote",
                    56,
                ),
            ],
        },
        {
            "order": 5,
            "name": "Faste møter",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Hold faste møter i naborådet",
                    "Møt jevnlig med saksliste og referat. Bli så godt kjent at lederen av "
                    "naborådet kan ringe og be en beboer dempe musikken.",
                    "facility_staff",
                    "forste-nabomote",
                    90,
                ),
                _task(
                    "Vurder om naborådet hviler på for få personer",
                    "Naborådet er sårbart når det avhenger av noen få nøkkelpersoner blant "
                    "naboene eller de ansatte. Rekrutter nye medlemmer i tide.",
                    "coordinator",
                    "forste-nabomote",
                    365,
                ),
            ],
        },
        {
            "order": 6,
            "name": "Sosiale treff",
            "project_phase": "operation",
            "tasks": [
                _task(
                    "Planlegg sommerfesten",
                    "Naboer og beboere inviteres. Botiltaket dekker kostnadene; sett av "
                    "penger i budsjettet.",
                    "facility_staff",
                    "sommerfest",
                    -30,
                ),
                _task(
                    "Planlegg julefesten",
                    "Alle naboer er velkomne. Send invitasjon i god tid.",
                    "facility_staff",
                    "julefest",
                    -30,
                ),
            ],
        },
    ],
}

SHIPPED = [NABOSKAPSARBEID, NABORAD]


def exchange_data(routine: dict) -> dict:
    """A shipped routine as an exchange file's content."""
    return {"format": schema.FORMAT, "format_version": schema.FORMAT_VERSION, "routine": routine}
