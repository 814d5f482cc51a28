"""Demo neighbour survey: two yearly rounds around Solbakken, showing a trend.

The earlier round closed a year ago with lower scores; this year's round is open and going
better, as the seed from Drammen describes ("from a bad to a good relationship").
Called once from `load_demo`; running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from naboskap.insights import services
from naboskap.insights.models import Answer, Response

# title, opens (days from today), closes, answers per response: three statements (None for
# "don't know") and an open answer
ROUNDS = [
    (
        "Trygghetsundersøkelse 2025",
        -400,
        -370,
        [
            (2, 3, 2, "Det er mye uro om kvelden, og vi vet ikke hvem vi skal ringe."),
            (3, 2, 2, ""),
            (2, 2, 1, "Vi ble ikke informert før botiltaket åpnet."),
            (3, 3, 3, ""),
            (4, 2, None, ""),
            (2, 3, 2, "Bilkjøring på gangstien bekymrer meg."),
            (3, 2, 3, ""),
            (1, 1, 1, ""),
        ],
    ),
    (
        "Trygghetsundersøkelse 2026",
        -20,
        25,
        [
            (4, 5, 4, "Naborådet har gjort en forskjell. Takk!"),
            (4, 4, 4, ""),
            (3, 4, 3, "Fint med telefonnummer til vakta på oppslagstavla."),
            (5, 5, 4, ""),
            (4, 3, None, ""),
            (3, 4, 3, "Fortsatt litt støy i helgene."),
            (4, 5, 5, ""),
            (5, 4, 4, ""),
            (2, 3, 3, ""),
            (4, 4, None, ""),
        ],
    ),
]


def load_insights(projects, users) -> None:
    project = projects["solbakken"]
    if project.survey_rounds.exists():
        return
    template = services.template_ensure_default(municipality=project.municipality)
    questions = list(template.questions.all())
    today = timezone.localdate()
    for title, opens, closes, sheets in ROUNDS:
        survey_round = services.round_create(
            project=project,
            template=template,
            title=title,
            opens_on=today + timedelta(days=opens),
            closes_on=today + timedelta(days=closes),
        )
        for number, (*values, text) in enumerate(sheets):
            response = Response.objects.create(
                round=survey_round,
                submitted_on=min(today, survey_round.opens_on + timedelta(days=number)),
            )
            rows = [
                Answer(response=response, question=question, value=value)
                for question, value in zip(questions[:3], values, strict=True)
            ]
            if text:
                rows.append(Answer(response=response, question=questions[3], text=text))
            Answer.objects.bulk_create(rows)
