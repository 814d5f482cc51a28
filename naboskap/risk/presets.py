"""The scales a municipality starts from: "Nabolag" (the default, for neighbourhood work) and
"DSB helhetlig ROS" (yearly likelihood, as in the comprehensive municipal ROS analysis), each
with five or four levels.

This is municipality data, not UI text: level names and definitions are in bokmål, and a
municipality edits them in the scale editor like any other content.

A scale's content is a plain dictionary (see `naboskap.risk.services.scale_errors`):

    {"size": 5,
     "probability": [{"value": 1, "name": "…", "definition": "…",
                      "observed_per_year_from": 0.1 | None}, …],
     "dimensions": [{"key": "liv_helse", "name": "Liv og helse", "required": True,
                     "levels": [{"value": 1, "name": "…", "definition": "…"}, …]}, …],
     "cells": {(probability, consequence): "green" | "yellow" | "red", …},
     "criteria": {"green": "…", "yellow": "…", "red": "…"}}
"""

from __future__ import annotations

PRESET_NAMES = {"nabolag": "Nabolag", "dsb": "DSB helhetlig ROS"}

PROBABILITY = {
    ("nabolag", 5): [
        ("Svært lite sannsynlig", "Sjeldnere enn hvert 10. år, eller ikke kjent at det har skjedd"),
        ("Lite sannsynlig", "Én gang i løpet av 1–10 år"),
        ("Moderat sannsynlig", "Noen ganger i året"),
        ("Sannsynlig", "Månedlig"),
        ("Svært sannsynlig", "Ukentlig eller oftere"),
    ],
    ("nabolag", 4): [
        ("Lite sannsynlig", "Sjeldnere enn hvert 10. år, eller ikke kjent at det har skjedd"),
        ("Moderat sannsynlig", "Én gang i løpet av 1–10 år"),
        ("Sannsynlig", "Noen ganger i året"),
        ("Svært sannsynlig", "Månedlig eller oftere"),
    ],
    ("dsb", 5): [
        ("Svært lite sannsynlig", "Under 0,1 % sannsynlighet per år"),
        ("Lite sannsynlig", "0,1–1 % sannsynlighet per år"),
        ("Moderat sannsynlig", "1–2 % sannsynlighet per år"),
        ("Sannsynlig", "2–10 % sannsynlighet per år"),
        ("Svært sannsynlig", "Over 10 % sannsynlighet per år"),
    ],
    ("dsb", 4): [
        ("Lite sannsynlig", "Under 0,1 % sannsynlighet per år"),
        ("Moderat sannsynlig", "0,1–2 % sannsynlighet per år"),
        ("Sannsynlig", "2–10 % sannsynlighet per år"),
        ("Svært sannsynlig", "Over 10 % sannsynlighet per år"),
    ],
}

# "Observed per year from" per probability level (see docs/risk.md): the number of concerns
# linked to an event in the last 12 months from which it counts as observed at that level.
# Nabolag's levels are frequencies, so the thresholds are read from their definitions. DSB's
# are yearly likelihoods: a rate of λ a year gives a likelihood of 1 − e^(−λ), so the level
# starts at λ = −ln(1 − p) for its lower likelihood p (0.1 % → 0.001, 1 % → 0.01005, 2 % →
# 0.0202, 10 % → 0.1054). One concern in a year is therefore always DSB's top level.
OBSERVED = {
    ("nabolag", 5): [0, 0.1, 2, 12, 52],
    ("nabolag", 4): [0, 0.1, 2, 12],
    ("dsb", 5): [0, 0.001, 0.01005, 0.0202, 0.1054],
    ("dsb", 4): [0, 0.001, 0.0202, 0.1054],
}

NAMES_5 = ["Ubetydelig", "Liten", "Moderat", "Alvorlig", "Svært alvorlig"]
NAMES_4 = ["Liten", "Moderat", "Alvorlig", "Svært alvorlig"]

# key, name, required, definitions with five levels, definitions with four
DIMENSIONS = [
    (
        "liv_helse",
        "Liv og helse",
        True,
        [
            "Ingen personskade",
            "Lettere skade som ikke krever behandling",
            "Skade som krever legebehandling",
            "Alvorlig skade eller varig helsemen",
            "Dødsfall",
        ],
        [
            "Ingen eller lettere skade som ikke krever behandling",
            "Skade som krever legebehandling",
            "Alvorlig skade eller varig helsemen",
            "Dødsfall",
        ],
    ),
    (
        "trygghet",
        "Trygghet og stabilitet",
        True,
        [
            "Kortvarig uro hos enkeltpersoner",
            "Uro hos flere naboer i noen dager",
            "Utrygghet i nabolaget i uker; noen endrer vaner, som å unngå steder",
            "Utbredt utrygghet i måneder; klager og organisert motstand",
            "Varig frykt i nabolaget; folk flytter ut",
        ],
        [
            "Kortvarig uro hos enkeltpersoner",
            "Uro hos flere naboer i dager eller uker",
            "Utbredt utrygghet i måneder; klager og organisert motstand",
            "Varig frykt i nabolaget; folk flytter ut",
        ],
    ),
    (
        "materielle",
        "Materielle verdier",
        True,
        [
            "Under 10 000 kr",
            "10 000–100 000 kr",
            "100 000–1 million kr",
            "1–10 millioner kr",
            "Over 10 millioner kr",
        ],
        [
            "Under 10 000 kr",
            "10 000–1 million kr",
            "1–10 millioner kr",
            "Over 10 millioner kr",
        ],
    ),
    (
        "tillit",
        "Tillit og omdømme",
        True,
        [
            "Ingen påvirkning",
            "Enkelte negative henvendelser eller innlegg i sosiale medier",
            "Omtale i lokale medier; svekket tillit hos velforening eller naboråd",
            "Vedvarende negativ omtale; saken behandles politisk",
            "Varig tillitstap; omtale i nasjonale medier",
        ],
        [
            "Ingen eller liten påvirkning",
            "Omtale i lokale medier; svekket tillit hos velforening eller naboråd",
            "Vedvarende negativ omtale; saken behandles politisk",
            "Varig tillitstap; omtale i nasjonale medier",
        ],
    ),
    (
        "natur_miljo",
        "Natur og miljø",
        False,
        [
            "Ingen skade på natur og miljø",
            "Forsøpling eller mindre skade som utbedres raskt",
            "Skade som utbedres i løpet av et år",
            "Alvorlig skade som tar flere år å utbedre",
            "Varig skade på natur og miljø",
        ],
        [
            "Ingen eller mindre skade som utbedres raskt",
            "Skade som utbedres i løpet av et år",
            "Alvorlig skade som tar flere år å utbedre",
            "Varig skade på natur og miljø",
        ],
    ),
]

CRITERIA = {
    "green": "Akseptabel risiko. Nye tiltak gjennomføres når de er enkle og lite kostbare.",
    "yellow": "Risikoen skal vurderes. Tiltak skal vurderes og gjennomføres når nytten står i "
    "forhold til kostnaden.",
    "red": "Ikke akseptabel risiko. Tiltak skal gjennomføres for å redusere risikoen.",
}

# Cells by probability + consequence: up to GREEN_MAX green, up to YELLOW_MAX yellow, else red.
THRESHOLDS = {5: (5, 7), 4: (4, 6)}


def _levels(names: list[str], definitions: list[str]) -> list[dict]:
    return [
        {"value": value, "name": name, "definition": definition}
        for value, (name, definition) in enumerate(zip(names, definitions, strict=True), start=1)
    ]


def preset_content(preset: str, size: int = 5) -> dict:
    """The content of a preset scale with `size` (5 or 4) levels."""
    if preset not in PRESET_NAMES or size not in THRESHOLDS:
        raise ValueError(f"unknown preset {preset!r} with {size} levels")
    probability = PROBABILITY[(preset, size)]
    names = NAMES_5 if size == 5 else NAMES_4
    green_max, yellow_max = THRESHOLDS[size]
    cells = {}
    for p in range(1, size + 1):
        for c in range(1, size + 1):
            total = p + c
            cells[(p, c)] = (
                "green" if total <= green_max else "yellow" if total <= yellow_max else "red"
            )
    return {
        "size": size,
        "probability": [
            {**level, "observed_per_year_from": observed}
            for level, observed in zip(
                _levels([n for n, _d in probability], [d for _n, d in probability]),
                OBSERVED[(preset, size)],
                strict=True,
            )
        ],
        "dimensions": [
            {
                "key": key,
                "name": name,
                "required": required,
                "levels": _levels(names, five if size == 5 else four),
            }
            for key, name, required, five, four in DIMENSIONS
        ],
        "cells": cells,
        "criteria": dict(CRITERIA),
    }
