"""Demo stakeholder register for Lindeveien, after the first seed: the dialogue with the
residents' association, the school's parent committee (FAU), a housing co-op, the police and
local politicians, an interaction log, and a stakeholder analysis at two dates that shows the
resistance easing. Made through stakeholders.services; skipped when the register has rows."""

from datetime import timedelta

from django.utils import timezone

from naboskap.demo.clock import DIALOGUE_HELD_DAYS_AGO
from naboskap.stakeholders.models import Organisation, Person
from naboskap.stakeholders.register import services

K = Organisation.Kind
ORGANISATIONS = [
    # name, kind, email, tags
    ("Lindeveien velforening", K.RESIDENTS, "post@lindeveien-vel.example", ["nærmiljø"]),
    (
        "FAU Lindeveien skole",
        K.SCHOOL,
        "fau@lindeveien-skole.example",
        ["skolevei", "barn og unge"],
    ),
    ("Borettslaget Lindehagen", K.HOUSING, "styret@lindehagen.example", ["nærmiljø"]),
    ("Fjordvik politistasjon", K.POLICE, "politikontakt@politiet.example", ["trygghet"]),
    ("Fjordvik Høyre, lokallaget", K.POLITICAL, "", ["politikk"]),
]
PERSONS = [
    # name, kind, organisation, role, email, basis
    (
        "Eva Solberg",
        Person.Kind.REPRESENTATIVE,
        "Lindeveien velforening",
        "leder",
        "eva.solberg@example.org",
        Person.LawfulBasis.PUBLIC_TASK,
    ),
    (
        "Tor Haugen",
        Person.Kind.REPRESENTATIVE,
        "FAU Lindeveien skole",
        "FAU-leder",
        "tor.haugen@example.org",
        Person.LawfulBasis.PUBLIC_TASK,
    ),
    (
        "Lene Brekke",
        Person.Kind.NEIGHBOUR,
        None,
        "",
        "lene.brekke@example.org",
        Person.LawfulBasis.CONSENT,
    ),
]
# days ago, channel, direction, summary, organisations, persons, needs follow-up
INTERACTIONS = [
    (
        120,
        "media",
        "in",
        "Lokalavisa skrev om motstand mot boligprosjektet i Lindeveien.",
        [],
        [],
        False,
    ),
    (
        100,
        "meeting",
        "out",
        "Første møte med velforeningen: bekymring for trygghet og "
        "informasjon. Velforeningen ønsker en fast kontaktperson.",
        ["Lindeveien velforening"],
        ["Eva Solberg"],
        True,
    ),
    (
        90,
        "email",
        "in",
        "FAU spør om skoleveien og hvem som skal bo i boligene.",
        ["FAU Lindeveien skole"],
        ["Tor Haugen"],
        True,
    ),
    (
        75,
        "phone",
        "out",
        "Politikontakten orientert om prosjektet; tilbyr å delta på dialogmøtet.",
        ["Fjordvik politistasjon"],
        [],
        False,
    ),
    (
        DIALOGUE_HELD_DAYS_AGO,
        "meeting",
        "out",
        "Dialogmøte med ROS-analyse: velforening, FAU, borettslaget og politiet deltok.",
        [
            "Lindeveien velforening",
            "FAU Lindeveien skole",
            "Borettslaget Lindehagen",
            "Fjordvik politistasjon",
        ],
        ["Eva Solberg", "Tor Haugen"],
        False,
    ),
    (
        30,
        "door_to_door",
        "out",
        "Dørbanking i Lindeveien 2–14 med informasjonsskriv.",
        [],
        ["Lene Brekke"],
        False,
    ),
    (
        10,
        "letter",
        "in",
        "Borettslaget ber om at uteområdet får bedre belysning.",
        ["Borettslaget Lindehagen"],
        [],
        True,
    ),
]
# stakeholder, (influence, affected, stance, concerns) before, ... after
ASSESSMENTS = [
    (
        "Lindeveien velforening",
        (4, 5, "opposed", "Trygghet, verdifall, lite informasjon"),
        (4, 5, "worried", "Trygghet om kvelden"),
    ),
    (
        "FAU Lindeveien skole",
        (4, 4, "opposed", "Skolevei og barns trygghet"),
        (4, 4, "neutral", "Skolevei"),
    ),
    ("Borettslaget Lindehagen", (2, 4, "worried", "Uteområdet"), (2, 4, "worried", "Belysning")),
    ("Fjordvik politistasjon", (3, 2, "supportive", ""), (3, 2, "supportive", "")),
    (
        "Fjordvik Høyre, lokallaget",
        (5, 1, "opposed", "Plassering og kostnad"),
        (5, 1, "neutral", "Kostnad"),
    ),
]


def load_stakeholders(projects, users) -> None:
    project = projects["lindeveien"]
    municipality = project.municipality
    if Organisation.objects.filter(municipality=municipality).exists():
        return
    today = timezone.localdate()
    organisations = {
        name: services.organisation_create(
            municipality=municipality,
            name=name,
            kind=kind,
            email=email,
            tags=tags,
            projects=[project],
        )
        for name, kind, email, tags in ORGANISATIONS
    }
    persons = {}
    for name, kind, organisation, role, email, basis in PERSONS:
        consent = basis == Person.LawfulBasis.CONSENT
        persons[name] = services.person_create(
            municipality=municipality,
            name=name,
            kind=kind,
            organisation=organisations.get(organisation),
            role=role,
            email=email,
            lawful_basis=basis,
            consent_given_on=today - timedelta(days=30) if consent else None,
            consent_how="Muntlig ved dørbanking, bekreftet på e-post" if consent else "",
            consent_purpose="Informasjon om prosjektet" if consent else "",
            preferred_channels=["email"],
            projects=[project],
        )
    for days, channel, direction, summary, orgs, people, follow_up in INTERACTIONS:
        services.interaction_log(
            project=project,
            user=users["koordinator"],
            channel=channel,
            direction=direction,
            summary=summary,
            occurred_on=today - timedelta(days=days),
            organisations=[organisations[o] for o in orgs],
            persons=[persons[p] for p in people],
            needs_follow_up=follow_up,
        )
    for name, *versions in ASSESSMENTS:
        for days, (influence, affected, stance, concerns) in zip((110, 20), versions, strict=True):
            services.assessment_add(
                project=project,
                created_by=users["koordinator"],
                organisation=organisations[name],
                influence=influence,
                affected=affected,
                stance=stance,
                main_concerns=concerns,
                assessed_on=today - timedelta(days=days),
            )
