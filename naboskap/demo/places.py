"""Demo place and process analysis for Lindeveien, after the first seed: step 1 there was a
place and process analysis to understand the resistance from residents' associations,
individuals and local politicians, with children and young people in the area raised as
especially exposed. Version 1 is approved; version 2 is a draft with a later event. Also a
letter template for invitations to the neighbour list. Made through places/services.py; skipped
when the project already has an analysis."""

from datetime import timedelta

from django.utils import timezone

from naboskap.demo.clock import DIALOGUE_HELD_DAYS_AGO
from naboskap.maps import coordinates
from naboskap.stakeholders.models import LetterTemplate
from naboskap.stakeholders.places import services as place_services

SITE_DESCRIPTION = (
    "Tomten i Lindeveien 14 ligger i et etablert boligområde med eneboliger og et borettslag. "
    "Lindeveien er skolevei for mange barn: Lindeveien skole ligger like nord for tomten, og "
    "barnehagen og lekeplassen er i samme kvartal. Bussholdeplassen ved Lindeveien brukes av "
    "både elever og pendlere.\n\n"
    "Kommunen planlegger åtte utleieboliger for personer som trenger en stabil bolig og "
    "oppfølging i hverdagen."
)
# kind, name, bearing (degrees), distance (m), note
SITES = [
    ("school", "Lindeveien skole", 20, 180, "1.–7. trinn, om lag 300 elever"),
    ("kindergarten", "Lindehagen barnehage", 170, 120, "Inngang fra Bjørkestien"),
    ("playground", "Lekeplassen i Lindehagen", 260, 60, "Brukes av borettslaget"),
    ("stop", "Lindeveien bussholdeplass", 90, 230, ""),
]
# days ago, kind, title, description, source
EVENTS = [
    (
        150,
        "hearing",
        "Saken behandlet i hovedutvalg for helse og sosial",
        "Flere representanter stilte spørsmål ved plasseringen nær skolen.",
        "Møtebok, hovedutvalg for helse og sosial",
    ),
    (
        120,
        "media",
        "Lokalavisa: «Naboer frykter for skoleveien»",
        "",
        "https://lokalavisa.example/nyheter/naboer-frykter-for-skoleveien",
    ),
    (
        110,
        "petition",
        "Underskriftskampanje fra velforeningen med 214 underskrifter",
        "Krever at kommunen vurderer en annen tomt.",
        "Brev fra Lindeveien velforening",
    ),
    (
        100,
        "meeting",
        "Første møte med velforeningen",
        "Kommunen la fram planene; naboene ba om en fast kontaktperson.",
        "Referat i kontaktloggen",
    ),
]
LATER_EVENT = (
    DIALOGUE_HELD_DAYS_AGO,
    "meeting",
    "Dialogmøte med ROS-analyse sammen med naboene",
    "Naboene og kommunen kartla sammen hva som kan skape utrygghet.",
    "Referat fra dialogmøtet",
)
THEMES = [
    ("Trygg skolevei", 18, "Barn og unge løftes fram som særlig utsatte."),
    ("Hvem som skal flytte inn", 11, ""),
    ("Hvem naboene kan ringe når noe skjer", 9, "Etterlyser at kommunen «rydder opp»."),
    ("Boligpriser", 4, ""),
]
CONCLUSIONS = (
    "Motstanden handler mest om usikkerhet: naboene vet lite om hvem som skal bo der og hvem "
    "de skal kontakte. Skoleveien og barn i området er det viktigste temaet. Politikerne "
    "settes under press gjennom enkelthenvendelser."
)
RECOMMENDATIONS = (
    "Gi naboene én fast kontaktperson og en vakttelefon.\n"
    "Inviter velforeningen, FAU og borettslaget til dialogmøte med ROS-analyse før byggestart.\n"
    "Informer det politiske nivået jevnlig, så de kan svare på henvendelser.\n"
    "Avklar med politiet en felles beskrivelse av utfordringene."
)
LETTER_HEADING = "Invitasjon: {title}"
LETTER_BODY = (
    "Kommunen inviterer naboene til møte om {project}.\n\n"
    "Tid: {time}\nSted: {place}\n\n{description}\n\n"
    "Vi vil gjerne høre hva du tenker, og svare på spørsmål. Alle i husstanden er velkomne.\n\n"
    "Har du spørsmål før møtet? Kontakt {contact}."
)


def load_places(projects, users) -> None:
    project = projects["lindeveien"]
    if project.place_analyses.exists():
        return
    coordinator = users["koordinator"]
    today = timezone.localdate()
    latitude, longitude = float(project.latitude), float(project.longitude)
    place_services.place_analysis_edit(
        project=project,
        by=coordinator,
        site_description=SITE_DESCRIPTION,
        conclusions=CONCLUSIONS,
        recommendations=RECOMMENDATIONS,
    )
    for kind, name, bearing, metres, note in SITES:
        lat, lon = coordinates.offset(latitude, longitude, bearing, metres)
        place_services.place_item_add(
            project=project,
            by=coordinator,
            item="site",
            kind=kind,
            name=name,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            note=note,
        )
    for days, kind, title, description, source in EVENTS:
        place_services.place_item_add(
            project=project,
            by=coordinator,
            item="event",
            occurred_on=today - timedelta(days=days),
            kind=kind,
            title=title,
            description=description,
            source=source,
        )
    for name, count, note in THEMES:
        place_services.place_item_add(
            project=project, by=coordinator, item="theme", name=name, count=count, note=note
        )
    place_services.place_analysis_publish(project=project, by=coordinator)
    # Version 2, a draft: the dialogue meeting since.
    days, kind, title, description, source = LATER_EVENT
    place_services.place_item_add(
        project=project,
        by=coordinator,
        item="event",
        occurred_on=today - timedelta(days=days),
        kind=kind,
        title=title,
        description=description,
        source=source,
    )
    if not LetterTemplate.objects.filter(municipality=project.municipality).exists():
        place_services.letter_template_create(
            municipality=project.municipality,
            name="Invitasjon til naboene",
            heading=LETTER_HEADING,
            body=LETTER_BODY,
        )
