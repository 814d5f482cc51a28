"""Demo rounds and incident log: the caretaker's rounds around both projects, observations
(one made a concern, one a measure), and incidents with follow-ups at Solbakken.

Called once from `load_demo`; running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from naboskap.facility import services
from naboskap.facility.models import Incident, Observation, Round
from naboskap.tenancy.models import Membership, Role, Unit

# project slug: rounds as (days ago, hour, [(category, place, text) or None for "all calm"])
ROUNDS = {
    "solbakken": [
        (
            9,
            21,
            [
                ("noise", "Bakgården", "Høy musikk fra en bil på parkeringsplassen."),
                None,
            ],
        ),
        (
            6,
            22,
            [
                ("litter", "Lekeplassen", "To sprøyter i sandkassa, fjernet og levert."),
                ("traffic", "Snuplassen", "Bil parkert i brannoppstillingsplassen."),
            ],
        ),
        (3, 20, [None]),
        (1, 21, [("damage", "Porten mot stien", "Knust lykt ved porten."), None]),
    ],
    "lindeveien": [
        (5, 19, [("litter", "Byggegjerdet", "Søppel langs gjerdet mot skolen."), None]),
        (2, 19, [None]),
    ],
}

# project slug: incidents as (days ago, category, place, description, follow-ups, close)
INCIDENTS = {
    "solbakken": [
        (
            8,
            "noise",
            "Bakgården",
            "Naboer ringte om høy musikk etter midnatt.",
            ["Vakt snakket med dem det gjaldt, musikken ble skrudd av kl. 00.20."],
            False,
        ),
        (
            12,
            "threats",
            "Bussholdeplassen",
            "En nabo opplevde truende oppførsel ved bussholdeplassen.",
            [
                "Ringte naboen tilbake samme kveld og fortalte hva vi gjorde.",
                "Tatt opp i naborådet; politikontakten er orientert.",
            ],
            True,
        ),
    ],
    "lindeveien": [],
}


def load_facility(projects, users) -> None:
    caretaker = users["miljovaktmester"]
    staff = users["botiltak"]
    lindeveien = projects["lindeveien"]
    # The caretaker walks both sites (the membership from load_demo covers Solbakken).
    Membership.objects.get_or_create(
        user=caretaker,
        municipality=lindeveien.municipality,
        role=Role.CARETAKER,
        project=lindeveien,
    )
    now = timezone.now()
    for slug, rounds in ROUNDS.items():
        project = projects[slug]
        if Round.objects.filter(project=project).exists():
            continue
        for days_ago, hour, seen in rounds:
            started = (now - timedelta(days=days_ago)).replace(
                hour=hour, minute=0, second=0, microsecond=0
            )
            found = services.round_start(project=project, by=caretaker)[0]
            for minutes, item in enumerate(seen):
                if item is None:
                    observation = services.observation_all_calm(round=found, by=caretaker)
                else:
                    category, place, text = item
                    observation = services.observation_log(
                        round=found, by=caretaker, category=category, place=place, text=text
                    )
                Observation.objects.filter(pk=observation.pk).update(
                    occurred_at=started + timedelta(minutes=10 + 10 * minutes)
                )
            services.round_end(round=found, by=caretaker, note="")
            Round.objects.filter(pk=found.pk).update(
                started_at=started, ended_at=started + timedelta(minutes=45)
            )
    solbakken = projects["solbakken"]
    litter = Observation.objects.filter(project=solbakken, category="litter").first()
    if litter is not None and litter.concern_id is None:
        services.observation_to_concern(observation=litter, by=caretaker)
    traffic = Observation.objects.filter(project=solbakken, category="traffic").first()
    if traffic is not None and not traffic.measures.exists():
        services.observation_to_measure(
            observation=traffic,
            by=users["koordinator"],
            title="Skilt om brannoppstillingsplass på snuplassen",
            owner_unit=Unit.objects.get(municipality=solbakken.municipality, name="Eiendom"),
            due_date=timezone.localdate() + timedelta(days=30),
        )
    for slug, incidents in INCIDENTS.items():
        project = projects[slug]
        if Incident.objects.filter(project=project).exists():
            continue
        for days_ago, category, place, description, follow_ups, close in incidents:
            incident = services.incident_log(
                project=project,
                by=staff,
                category=category,
                place=place,
                description=description,
                occurred_at=now - timedelta(days=days_ago),
            )
            for number, text in enumerate(follow_ups):
                last = number == len(follow_ups) - 1
                services.follow_up_add(incident=incident, by=staff, text=text, close=close and last)
