"""Demo neighbour survey: two yearly rounds around Solbakken, showing a trend.

The earlier round closed a year ago with lower scores; this year's round is open and going
better, as the seed from Drammen describes ("from a bad to a good relationship"). The earlier
round froze the shipped template; this year's uses version 2, where the second statement is
reworded but keeps its key, so the trend still compares it. Lindeveien has an open round with
too few answers to show, and the municipality a draft template still being written.
Called once from `load_demo`; running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from naboskap.insights import services
from naboskap.insights.models import Answer, Response, SurveyTemplate

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


# The second statement, reworded in version 2 of the template (same key).
REWORDED = (
    "vet-hvor-jeg-henvender-meg",
    "Jeg vet hvem jeg kan kontakte hvis noe skjer.",
    "Eg veit kven eg kan kontakte om noko skjer.",
    "I know whom to contact if something happens.",
)
DRAFT_NAME = "Trivsel i nabolaget (utkast)"
DRAFT_QUESTIONS = [
    ("likert", "Jeg trives i nabolaget.", "Eg trivst i nabolaget.", "I like living here."),
    (
        "likert",
        "Jeg hilser på naboene mine.",
        "Eg helsar på naboane mine.",
        "I say hello to my neighbours.",
    ),
    ("open", "Hva ville gjort nabolaget bedre?", "", "What would make the neighbourhood better?"),
]


def _second_version(template) -> SurveyTemplate:
    existing = SurveyTemplate.objects.filter(previous=template).first()
    if existing:
        return existing
    version = services.template_new_version(template=template)
    key, nb, nn, en = REWORDED
    question = version.questions.get(key=key)
    services.question_edit(
        question=question, kind="likert", key=key, text=nb, text_nn=nn, text_en=en
    )
    return version


def _sheets(survey_round, questions, sheets, today) -> None:
    likert = [q for q in questions if q.is_likert]
    open_question = next(q for q in questions if not q.is_likert)
    for number, (*values, text) in enumerate(sheets):
        response = Response.objects.create(
            round=survey_round,
            submitted_on=min(today, survey_round.opens_on + timedelta(days=number)),
        )
        rows = [
            Answer(response=response, question=question, value=value)
            for question, value in zip(likert, values, strict=True)
        ]
        if text:
            rows.append(Answer(response=response, question=open_question, text=text))
        Answer.objects.bulk_create(rows)


def load_insights(projects, users) -> None:
    today = timezone.localdate()
    solbakken = projects["solbakken"]
    municipality = solbakken.municipality
    first = services.template_ensure_default(municipality=municipality)
    if not solbakken.survey_rounds.exists():
        # The earlier round uses the shipped template, this year's version 2.
        templates = [first, _second_version(first)]
        for (title, opens, closes, sheets), template in zip(ROUNDS, templates, strict=True):
            survey_round = services.round_create(
                project=solbakken,
                template=template,
                title=title,
                opens_on=today + timedelta(days=opens),
                closes_on=today + timedelta(days=closes),
            )
            _sheets(survey_round, list(template.questions.all()), sheets, today)
    lindeveien = projects["lindeveien"]
    if not lindeveien.survey_rounds.exists():
        template = _second_version(first)
        survey_round = services.round_create(
            project=lindeveien,
            template=template,
            title="Trygghet før byggestart",
            opens_on=today - timedelta(days=5),
            closes_on=today + timedelta(days=40),
        )
        _sheets(
            survey_round,
            list(template.questions.all()),
            [(2, 3, 2, "Vi er bekymret for trafikken i anleggsperioden."), (3, 3, None, "")],
            today,
        )
    if not SurveyTemplate.objects.filter(municipality=municipality, name=DRAFT_NAME).exists():
        draft = services.template_create(municipality=municipality, name=DRAFT_NAME)
        for kind, nb, nn, en in DRAFT_QUESTIONS:
            services.question_add(template=draft, kind=kind, text=nb, text_nn=nn, text_en=en)
