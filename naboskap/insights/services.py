"""Domain operations of the neighbour survey."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from naboskap.documents.services import run_start
from naboskap.insights.documents import CODES, code_run_parts
from naboskap.insights.models import (
    Answer,
    Question,
    Response,
    SurveyCode,
    SurveyRound,
    SurveyTemplate,
)
from naboskap.lib.errors import DomainError

DEFAULT_CODE = "trygghet"
# (key, kind, Bokmål, Nynorsk, English); migration 0002 knows these keys too.
DEFAULT_QUESTIONS = [
    (
        "trygg-i-nabolaget",
        Question.Kind.LIKERT,
        "Jeg føler meg trygg i nabolaget mitt.",
        "Eg kjenner meg trygg i nabolaget mitt.",
        "I feel safe in my neighbourhood.",
    ),
    (
        "vet-hvor-jeg-henvender-meg",
        Question.Kind.LIKERT,
        "Jeg vet hvor jeg skal henvende meg hvis noe skjer.",
        "Eg veit kvar eg skal vende meg om noko skjer.",
        "I know where to turn if something happens.",
    ),
    (
        "forhold-til-tjenestestedet",
        Question.Kind.LIKERT,
        "Forholdet mellom naboene og tjenestestedet er godt.",
        "Forholdet mellom naboane og tenestestaden er godt.",
        "The relationship between neighbours and the facility is good.",
    ),
    (
        "noe-annet",
        Question.Kind.OPEN,
        "Er det noe annet du vil si til kommunen?",
        "Er det noko anna du vil seie til kommunen?",
        "Is there anything else you would like to tell the municipality?",
    ),
]


class SurveyError(DomainError):
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
        for position, (key, kind, nb, nn, en) in enumerate(DEFAULT_QUESTIONS, start=1):
            Question.objects.create(
                template=template,
                position=position,
                key=key,
                kind=kind,
                text=nb,
                text_nn=nn,
                text_en=en,
            )
    return template


# Templates -------------------------------------------------------------------------------


def _unique_code(municipality, name: str) -> str:
    base = slugify(name)[:32].strip("-") or "mal"
    taken = set(
        SurveyTemplate.objects.filter(municipality=municipality, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 2
    while code in taken:
        code = f"{base}-{n}"
        n += 1
    return code


def _locked(template: SurveyTemplate) -> SurveyTemplate:
    """The template, locked for this transaction, and refused if rounds have frozen it."""
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_frozen:
        raise SurveyError(
            _(
                "This template is used by a survey round, so it cannot change: past results "
                "must keep meaning what was asked. Make a new version and change that."
            ),
            code="frozen",
        )
    return template


@transaction.atomic
def template_create(*, municipality, name: str) -> SurveyTemplate:
    name = name.strip()
    if not name:
        raise SurveyError(_("Give the template a name."), code="name")
    return SurveyTemplate.objects.create(
        municipality=municipality, name=name, code=_unique_code(municipality, name)
    )


@transaction.atomic
def template_rename(*, template: SurveyTemplate, name: str) -> SurveyTemplate:
    template = _locked(template)
    name = name.strip()
    if not name:
        raise SurveyError(_("Give the template a name."), code="name")
    template.name = name
    template.save(update_fields=["name"])
    return template


@transaction.atomic
def template_new_version(*, template: SurveyTemplate) -> SurveyTemplate:
    """An editable copy of the template, its questions and their keys: the next version."""
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    latest = (
        SurveyTemplate.objects.filter(municipality=template.municipality_id, name=template.name)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    copy = SurveyTemplate.objects.create(
        municipality_id=template.municipality_id,
        name=template.name,
        code=_unique_code(template.municipality_id, f"{template.code}-v{(latest or 1) + 1}"),
        version=max(latest or 1, template.version) + 1,
        previous=template,
    )
    Question.objects.bulk_create(
        Question(
            template=copy,
            position=q.position,
            key=q.key,
            kind=q.kind,
            text=q.text,
            text_nn=q.text_nn,
            text_en=q.text_en,
        )
        for q in template.questions.all()
    )
    return copy


NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def question_key(key: str, text: str, text_en: str = "") -> str:
    """The key as given (a slug), or one made from the English or Bokmål text."""
    source = (key or text_en or text).lower().translate(NORWEGIAN_LETTERS)
    return slugify(source)[:40].strip("-")


def _check_question(template, *, key, kind, text, exclude_pk=None) -> None:
    errors = {}
    if not text.strip():
        errors["text"] = _("Write the question in Bokmål.")
    if kind not in Question.Kind.values:
        errors["kind"] = _("Choose the kind of question.")
    if not key:
        errors["key"] = _("Give the question a key of letters, digits and hyphens.")
    elif Question.objects.filter(template=template, key=key).exclude(pk=exclude_pk).exists():
        errors["key"] = _(
            "Another question in this template has the key “%(key)s”. Each key is used once."
        ) % {"key": key}
    if errors:
        raise SurveyError(errors)


@transaction.atomic
def question_add(
    *, template: SurveyTemplate, kind: str, text: str, text_nn="", text_en="", key=""
) -> Question:
    template = _locked(template)
    key = question_key(key, text, text_en)
    _check_question(template, key=key, kind=kind, text=text)
    last = template.questions.order_by("-position").values_list("position", flat=True).first()
    return Question.objects.create(
        template=template,
        position=(last or 0) + 1,
        key=key,
        kind=kind,
        text=text.strip(),
        text_nn=text_nn.strip(),
        text_en=text_en.strip(),
    )


@transaction.atomic
def question_edit(
    *, question: Question, kind: str, text: str, text_nn="", text_en="", key=""
) -> Question:
    template = _locked(question.template)
    key = question_key(key, text, text_en)
    _check_question(template, key=key, kind=kind, text=text, exclude_pk=question.pk)
    question.kind, question.key = kind, key
    question.text, question.text_nn, question.text_en = (
        text.strip(),
        text_nn.strip(),
        text_en.strip(),
    )
    question.save(update_fields=["kind", "key", "text", "text_nn", "text_en"])
    return question


@transaction.atomic
def question_move(*, question: Question, step: int) -> None:
    """Swap the question with its neighbour above (step -1) or below (step 1)."""
    template = _locked(question.template)
    questions = list(template.questions.order_by("position"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other_index = index + step
    if not 0 <= other_index < len(questions):
        return
    first, second = questions[index], questions[other_index]
    a, b = first.position, second.position
    # Through a free position: the (template, position) constraint holds after each row.
    Question.objects.filter(pk=first.pk).update(position=0)
    Question.objects.filter(pk=second.pk).update(position=a)
    Question.objects.filter(pk=first.pk).update(position=b)


@transaction.atomic
def question_remove(*, question: Question) -> None:
    template = _locked(question.template)
    question.delete()
    for position, pk in enumerate(
        template.questions.order_by("position").values_list("pk", flat=True), start=1
    ):
        Question.objects.filter(pk=pk).exclude(position=position).update(position=position)


@transaction.atomic
def round_create(*, project, template, title: str, opens_on, closes_on) -> SurveyRound:
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    if template.municipality_id != project.municipality_id:
        raise SurveyError(_("Choose a template of this municipality."))
    if not template.questions.exists():
        raise SurveyError(_("This template has no questions yet. Add some first."))
    survey_round = SurveyRound(
        project=project, template=template, title=title, opens_on=opens_on, closes_on=closes_on
    )
    survey_round.full_clean()
    survey_round.save()
    if not template.is_frozen:  # from now on its questions are a record: they never change
        template.frozen_at = timezone.now()
        template.save(update_fields=["frozen_at"])
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


def _check_count(count: int) -> None:
    if not 1 <= count <= MAX_CODES:
        raise SurveyError(_("Choose between 1 and %(max)s codes.") % {"max": MAX_CODES})


@transaction.atomic
def codes_request(
    *,
    survey_round: SurveyRound,
    count: int,
    requested_by,
    language: str,
    link: str,
    short_address: str,
    project_address: str,
) -> str:
    """Ask the worker for `count` new single-use codes on a PDF sheet for `requested_by`
    (naboskap.documents: made in parts, kept a day). Returns the run's token."""
    _check_count(count)
    parts = code_run_parts(
        count, link=link, short_address=short_address, project_address=project_address
    )
    token, _parts = run_start(
        kind=CODES, obj=survey_round, requested_by=requested_by, language=language, parts=parts
    )
    return token


@transaction.atomic
def codes_generate(*, survey_round: SurveyRound, count: int) -> list[str]:
    """`count` new single-use codes for the round; only their hashes are stored, so the
    returned list is the only copy (print it on the letters)."""
    _check_count(count)
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
