"""Demo ROS analysis for Lindeveien: the dialogue meeting of the first seed, where neighbours,
the residents' association and the school's parents' committee named unwanted events with
the municipality. Made through risk.services; skipped when the project has an analysis."""

from datetime import timedelta

from django.utils import timezone

from naboskap.concerns import services as concerns
from naboskap.concerns.models import Category
from naboskap.concerns.workflow import Status
from naboskap.demo import clock
from naboskap.demo.clock import submit_concern
from naboskap.plans.models import Measure
from naboskap.risk import selectors, services
from naboskap.risk.models import Analysis, ConsequenceScore, UnwantedEvent
from naboskap.tenancy.models import Unit

BEFORE = ConsequenceScore.Stage.BEFORE
AFTER = ConsequenceScore.Stage.AFTER
STRONG, MEDIUM, WEAK = (k.value for k in UnwantedEvent.Knowledge)

PARTICIPANTS = [
    ("person", "Kari Nordmann", "Dialogansvarlig, Helse og sosial"),
    ("person", "Sindre Lie", "Eiendom"),
    ("group", "3 naboer fra Lindeveien velforening", "Velforeningen"),
    ("group", "2 foreldre fra FAU ved Lindeveien skole", "FAU"),
    ("person", "Representant for borettslaget Lindehagen", "Borettslaget"),
    ("person", "Politikontakt", "Politiet"),
]

# What the published summary says about each event, written for the neighbours.
PUBLIC_DESCRIPTIONS = [
    "Sprøyter eller annet utstyr kan bli liggende der barn leker eller går til skolen.",
    "Naboer kan bli plaget av støy fra boligene sent på kvelden og om natten.",
    "Noen kan oppleve å bli truet eller møtt med sinne i nabolaget.",
    "Det kan bli solgt rusmidler i nærheten av boligene.",
    "Boder og biler i området kan bli utsatt for hærverk eller tyveri.",
    "Det kan begynne å brenne i en av boligene.",
    "Naboer kan bli usikre på hvor de skal si fra når noe skjer.",
    "Omtale i media eller sosiale medier kan skape frykt og stigmatisere beboerne.",
]
PUBLIC_ORGANISATIONS = ["Velforeningen", "FAU", "Borettslaget", "Politiet", "Fjordvik kommune"]

# title, scenario, causes, barriers, knock-on effects,
# (probability, {dimension: level}), knowledge, residual (probability, {dimension: level})
EVENTS = [
    (
        "Brukerutstyr eller rusmidler funnet på lekeplass eller skolevei",
        "Barn finner sprøyter eller rester av rusmidler på lekeplassen ved borettslaget.",
        "Rusmiddelbruk utendørs\nIngen trygg avfallsløsning for brukerutstyr",
        "Miljøvaktmester går runder i nærområdet",
        "Foreldre holder barna inne\nKrav om at boligene stenges",
        (2, {"liv_helse": 3, "trygghet": 4, "materielle": 1, "tillit": 4}),
        MEDIUM,
        (1, {"liv_helse": 3, "trygghet": 3, "materielle": 1, "tillit": 3}),
    ),
    (
        "Støy og uro fra boligene på kveld og natt",
        "Høy musikk, roping og besøk til sent på natt i helgene.",
        "Besøkende uten tilknytning til boligen\nUklare husordensregler",
        "Husleiekontrakt med ordensregler",
        "Naboer sover dårlig\nKlager til politiet",
        (4, {"liv_helse": 1, "trygghet": 3, "materielle": 1, "tillit": 3}),
        STRONG,
        (3, {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 2}),
    ),
    (
        "Truende eller aggressiv atferd mot naboer eller barn",
        "En beboer i psykisk krise roper og truer naboer på vei til skolen.",
        "Manglende oppfølging ved forverring\nRus",
        "Bemanning på dagtid",
        "Naboer unngår området\nSaken løftes politisk",
        (2, {"liv_helse": 3, "trygghet": 5, "materielle": 1, "tillit": 4}),
        WEAK,
        (2, {"liv_helse": 2, "trygghet": 3, "materielle": 1, "tillit": 3}),
    ),
    (
        "Salg av rusmidler i nærområdet",
        "Det oppstår et omsetningssted ved busslommen nær boligene.",
        "Etterspørsel blant beboere og besøkende",
        "Politiets patruljering",
        "Økt kriminalitet\nOmdømmetap for hele området",
        (2, {"liv_helse": 2, "trygghet": 4, "materielle": 1, "tillit": 4}),
        WEAK,
        None,
    ),
    (
        "Hærverk og tyveri fra boder og biler",
        "Innbrudd i sykkelboder og biler i borettslaget.",
        "Dårlig belysning\nUlåste boder",
        "",
        "Forsikringssaker\nMistanke rettet mot beboerne",
        (3, {"liv_helse": 1, "trygghet": 2, "materielle": 2, "tillit": 2}),
        MEDIUM,
        None,
    ),
    (
        "Brann i boligen",
        "Brann i en leilighet på grunn av røyking i sengen eller glemt komfyr.",
        "Røyking innendørs\nRedusert egenomsorg",
        "Brannvarsling koblet til vaktsentral\nKomfyrvakt",
        "Evakuering av nabobygg",
        (1, {"liv_helse": 5, "trygghet": 3, "materielle": 4, "tillit": 3, "natur_miljo": 2}),
        STRONG,
        None,
    ),
    (
        "Naboer vet ikke hvor de skal melde fra",
        "Naboer ringer ulike etater og opplever at ingen følger opp.",
        "Ingen fast kontaktperson\nInformasjon bare på papir",
        "",
        "Tillitstap\nHenvendelser til politikere og media",
        (3, {"liv_helse": 1, "trygghet": 3, "materielle": 1, "tillit": 4}),
        STRONG,
        (1, {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 2}),
    ),
    (
        "Negative oppslag i media og sosiale medier om beboerne",
        "Et innlegg i nabolagsgruppen sprer rykter om hvem som skal flytte inn.",
        "Lite informasjon om prosjektet\nFrykt for det ukjente",
        "Informasjonsmøte før byggestart",
        "Stigmatisering av beboerne\nMotstand mot senere prosjekter",
        (3, {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 4}),
        MEDIUM,
        None,
    ),
]

# event index, title, kind, owner unit, due in days, status
MEASURES = [
    (
        0,
        "Miljøvaktmester går faste runder på lekeplass og skolevei",
        "probability",
        "Solbakken botiltak",
        30,
        Measure.Status.IN_PROGRESS,
    ),
    (
        0,
        "Beholder for brukerutstyr og opprydding innen 24 timer",
        "consequence",
        "Eiendom",
        45,
        Measure.Status.PLANNED,
    ),
    (
        1,
        "Husordensregler gjennomgås med hver beboer ved innflytting",
        "probability",
        "Helse og sosial",
        60,
        Measure.Status.PLANNED,
    ),
    (
        2,
        "Vakttelefon for naboer hele døgnet",
        "consequence",
        "Helse og sosial",
        20,
        Measure.Status.IN_PROGRESS,
    ),
    (
        6,
        "Ett sted å melde fra: meldeskjema og fast kontaktperson",
        "probability",
        "Kommunikasjon",
        14,
        Measure.Status.DONE,
    ),
]


def _score(event, stage, probability, levels, dimensions, knowledge=""):
    assessment = {}
    if stage == BEFORE:
        assessment = {
            "knowledge": knowledge,
            "knowledge_data": knowledge,
            "knowledge_understanding": knowledge,
            "knowledge_agreement": MEDIUM if knowledge == STRONG else knowledge,
        }
    else:
        assessment = {
            "acceptance": UnwantedEvent.Acceptance.ACCEPTED,
            "acceptance_reason": "Risikoen er akseptabel med tiltakene i handlingsplanen.",
        }
    services.event_score(
        event=event,
        stage=stage,
        probability=probability,
        probability_justification="Vurdert i dialogmøtet ut fra erfaring fra lignende boliger.",
        consequences={dimensions[key]: (level, "Skjønn i møtet.") for key, level in levels.items()},
        **assessment,
    )


def load_risk(projects: dict, users: dict) -> None:
    project = projects["lindeveien"]
    if Analysis.objects.filter(project=project).exists():
        return
    coordinator = users["koordinator"]
    today = timezone.localdate()
    analysis = services.analysis_create(
        project=project,
        created_by=coordinator,
        title="ROS-analyse for Lindeveien velferdsboliger",
        purpose="Kartlegge uønskede hendelser som kan skape utrygghet i nabolaget rundt de "
        "nye velferdsboligene, og bli enige om tiltak.",
        method="Dialogmøte med velforening, FAU og borettslag. Deltakerne foreslo hendelser, "
        "og sannsynlighet og konsekvens ble satt i fellesskap.",
        area_description="Boligområde med borettslag, barneskole og lekeplass innenfor 300 m.",
        next_revision_on=today + timedelta(days=365),
        participants=[
            {"kind": kind, "name": name, "represents": represents}
            for kind, name, represents in PARTICIPANTS
        ],
        meetings=[
            {
                "held_on": today - timedelta(days=clock.DIALOGUE_HELD_DAYS_AGO),
                "note": "Dialogmøte i aulaen på Lindeveien skole",
            }
        ],
    )
    dimensions = {d.key: d.pk for d in analysis.scale_version.dimensions.all()}
    events = []
    for title, scenario, causes, barriers, knock_on, before, knowledge, after in EVENTS:
        event = services.event_create(
            analysis=analysis,
            title=title,
            scenario=scenario,
            causes=causes,
            existing_barriers=barriers,
            knock_on_effects=knock_on,
        )
        _score(event, BEFORE, *before, dimensions, knowledge)
        if after:
            _score(event, AFTER, *after, dimensions)
        events.append(event)
    units = {u.name: u for u in Unit.objects.filter(municipality=project.municipality)}
    for index, title, kind, unit, due, status in MEASURES:
        services.event_measure_add(
            event=events[index],
            created_by=coordinator,
            title=title,
            kind=kind,
            owner_unit=units[unit],
            due_date=today + timedelta(days=due),
            status=status,
            phase=project.phase,
        )
    for status in (Analysis.Status.REVIEW, Analysis.Status.APPROVED):
        services.analysis_change_status(analysis=analysis, to_status=status, changed_by=coordinator)
    # The approved analysis told to the neighbours: a plain-language line per event and the
    # organisations that took part (never the persons).
    services.summary_publish(
        analysis=analysis,
        published_by=coordinator,
        descriptions={
            str(event.lineage): PUBLIC_DESCRIPTIONS[event.number - 1]
            for event in analysis.events.all()
        },
        organisations=list(PUBLIC_ORGANISATIONS),
    )
    # A second revision after the first months: noise is less frequent, a new event.
    revision = services.analysis_revise(analysis=analysis, created_by=coordinator)
    noise = revision.events.get(number=2)
    _score(noise, BEFORE, 3, EVENTS[1][5][1], dimensions, STRONG)
    parking = services.event_create(
        analysis=revision,
        title="Parkering som sperrer utrykningsveien",
        scenario="Besøkende parkerer i snuplassen, så ambulanse og brannbil ikke kommer fram.",
        causes="For få besøksplasser",
        knock_on_effects="Forsinket utrykning",
    )
    _score(
        parking,
        BEFORE,
        3,
        {"liv_helse": 4, "trygghet": 2, "materielle": 1, "tillit": 2},
        dimensions,
        MEDIUM,
    )
    _scoring_round(revision, coordinator)
    _observed(project, revision)


# Votes from the dialogue meeting's phones: (probability, trygghet, tillit) per participant.
VOTES = {
    2: [(3, 3, 3), (3, 2, 3), (4, 3, 2), (2, 3, 3), (3, 4, 3), (3, 3, 4), (4, 3, 3)],
    5: [(3, 2, 2), (2, 2, 2), (3, 3, 2), (4, 2, 1), (3, 2, 2)],
    6: [(2, 2, 2), (3, 1, 2), (4, 2, 3), (2, 2, 2)],
}


def _scoring_round(revision, coordinator) -> None:
    """A closed scoring round from the meeting, with the noise event settled from it."""
    events = {e.number: e for e in revision.events.filter(number__in=VOTES)}
    scoring_round = services.round_open(
        analysis=revision, events=list(events.values()), opened_by=coordinator
    )
    for number, votes in VOTES.items():
        for n, (probability, trygghet, tillit) in enumerate(votes):
            services.vote_cast(
                scoring_round=scoring_round,
                event=events[number],
                device=services.device_key(f"demo-telefon-{n}"),
                probability=probability,
                consequences={
                    "liv_helse": 1,
                    "trygghet": trygghet,
                    "materielle": 1 + n % 2,
                    "tillit": tillit,
                },
            )
    services.round_close(scoring_round=scoring_round, closed_by=coordinator)
    scale = selectors.load_scale(revision.scale_version)
    result = next(r for r in selectors.round_results(scoring_round, scale) if r.event.number == 2)
    event = result.event
    event.analysis = revision
    services.round_settle_event(
        scoring_round=scoring_round,
        event=event,
        settled_by=coordinator,
        probability=result.items[0].median,
        consequences={
            d.pk: item.median for d, item in zip(scale.dimensions, result.items[1:], strict=True)
        },
        knowledge_agreement=result.agreement,
        spread=result.spread(scoring_round.code),
    )


# Concerns from neighbours about dealing near the bus stop: (days ago, what, where).
DEALING = [
    (
        20,
        "Det ser ut som det selges noe ved busslommen om kveldene. Mange korte besøk.",
        "Busslommen ved Lindeveien",
    ),
    (
        75,
        "Ungdommer ble tilbudt noe ved busskuret etter trening. Foreldrene er bekymret.",
        "Busskuret ved Lindeveien skole",
    ),
    (
        140,
        "Samme bil stopper ved busslommen hver kveld, folk kommer og går.",
        "Busslommen ved Lindeveien",
    ),
]
DEALING_ANSWER = (
    "Takk for at du sa fra. Vi har delt det med politikontakten, og miljøvaktmesteren går "
    "forbi busslommen om kveldene framover."
)


def _observed(project, revision) -> None:
    """Concerns about drug dealing, linked to its event: observed more often than assessed
    (three in a year is "a few times a year", level 3; the analysis says 2)."""
    concerns.categories_ensure_defaults(municipality=project.municipality)
    category = Category.objects.get(municipality=project.municipality, code="other")
    event = revision.events.get(number=4)
    for n, (days_ago, description, location) in enumerate(DEALING):
        concern, _created = submit_concern(
            received=clock.days_ago(days_ago, hour=14),
            steps=[(Status.ACKNOWLEDGED, 4), (Status.ANSWERED, 50), (Status.CLOSED, 75)],
            answer=DEALING_ANSWER,
            project=project,
            category=category,
            idempotency_key=f"demo-ros-omsetning-{n}",
            description=description,
            location=location,
        )
        concerns.concern_link_event(concern=concern, unwanted_event=event)
