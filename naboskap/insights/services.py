"""Domain operations of the neighbour survey."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from naboskap.insights.models import (
    Answer,
    Question,
    Response,
    SurveyCode,
    SurveyRound,
    SurveyTemplate,
)

DEFAULT_CODE = "trygghet"
# (kind, Bokmål, Nynorsk, English)
DEFAULT_QUESTIONS = [
    (
        Question.Kind.LIKERT,
        "Jeg føler meg trygg i nabolaget mitt.",
        "Eg kjenner meg trygg i nabolaget mitt.",
        "I feel safe in my neighbourhood.",
    ),
    (
        Question.Kind.LIKERT,
        "Jeg vet hvor jeg skal henvende meg hvis noe skjer.",
        "Eg veit kvar eg skal vende meg om noko skjer.",
        "I know where to turn if something happens.",
    ),
    (
        Question.Kind.LIKERT,
        "Forholdet mellom naboene og tjenestestedet er godt.",
        "Forholdet mellom naboane og tenestestaden er godt.",
        "The relationship between neighbours and the facility is good.",
    ),
    (
        Question.Kind.OPEN,
        "Er det noe annet du vil si til kommunen?",
        "Er det noko anna du vil seie til kommunen?",
        "Is there anything else you would like to tell the municipality?",
    ),
]


class SurveyError(ValidationError):
    """A round, code or answer the survey cannot take; the message says why."""


@transaction.atomic
def template_ensure_default(*, municipality) -> SurveyTemplate:
    """The municipality's shipped default template in nb, nn and en (idempotent)."""
    template, created = SurveyTemplate.objects.get_or_create(
        municipality=municipality,
        code=DEFAULT_CODE,
        defaults={"name": "Trygghetsundersøkelse"},
    )
    if created:
        for position, (kind, nb, nn, en) in enumerate(DEFAULT_QUESTIONS, start=1):
            Question.objects.create(
                template=template, position=position, kind=kind, text=nb, text_nn=nn, text_en=en
            )
    return template


@transaction.atomic
def round_create(*, project, template, title: str, opens_on, closes_on) -> SurveyRound:
    if template.municipality_id != project.municipality_id:
        raise SurveyError(_("Choose a template of this municipality."))
    survey_round = SurveyRound(
        project=project, template=template, title=title, opens_on=opens_on, closes_on=closes_on
    )
    survey_round.full_clean()
    survey_round.save()
    return survey_round


# Letters and digits that cannot be mistaken for each other on paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_CODES = 2000


def normalize_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def code_digest(code: str) -> str:
    return salted_hmac(
        "naboskap.insights.code", normalize_code(code), algorithm="sha256"
    ).hexdigest()


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def codes_generate(*, survey_round: SurveyRound, count: int) -> list[str]:
    """`count` new single-use codes for the round; only their hashes are stored, so the
    returned list is the only copy (print it on the letters)."""
    if not 1 <= count <= MAX_CODES:
        raise SurveyError(_("Choose between 1 and %(max)s codes.") % {"max": MAX_CODES})
    codes = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)
    ]
    SurveyCode.objects.bulk_create(
        SurveyCode(round=survey_round, digest=code_digest(code)) for code in codes
    )
    return [format_code(code) for code in codes]


@transaction.atomic
def response_submit(
    *, survey_round: SurveyRound, answers: dict[int, tuple], code: str = ""
) -> Response:
    """Store one anonymous response. `answers` maps question pk -> (value or None, text).

    The round is locked and checked again, so no answer lands after it closed. A round with
    single-use codes takes one response per code; the code is marked used, nothing more.
    """
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if not survey_round.is_open:
        raise SurveyError(_("This survey round is closed. Nothing was saved."), code="closed")
    if SurveyCode.objects.filter(round=survey_round).exists():
        entry = (
            SurveyCode.objects.select_for_update()
            .filter(round=survey_round, digest=code_digest(code))
            .first()
        )
        if entry is None:
            raise SurveyError(
                _("We do not know this code. Check it against your letter."), code="code"
            )
        if entry.used:
            raise SurveyError(
                _("This code has already been used. Each code gives one answer."), code="code"
            )
        entry.used = True
        entry.save(update_fields=["used"])
    questions = {q.pk: q for q in survey_round.template.questions.all()}
    response = Response.objects.create(round=survey_round, submitted_on=timezone.localdate())
    rows = []
    for pk, (value, text) in answers.items():
        question = questions.get(pk)
        if question is None:
            raise SurveyError(_("An answer belongs to no question of this survey."))
        if question.is_likert:
            text = ""
        else:
            value = None
            if not text.strip():
                continue
        answer = Answer(response=response, question=question, value=value, text=text.strip())
        answer.full_clean(exclude=["response", "question"])
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    return response
