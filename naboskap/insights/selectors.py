"""Survey results, computed in the database (a fixed number of queries per page)."""

from __future__ import annotations

from django.db.models import Avg, Count

from naboskap.insights.models import (
    LIKERT_VALUES,
    Answer,
    Question,
    Response,
    SurveyRound,
    SurveyTemplate,
)
from naboskap.lib.anonymity import MIN_GROUP_SIZE


def round_results(survey_round: SurveyRound, *, open_answers: bool = False) -> dict:
    """Per question: answers, distribution, mean; figures hidden under MIN_GROUP_SIZE.

    Open answers are neighbours' own words: their texts are loaded only with `open_answers`
    (for those who may read them, `insights.view_open_answers`) and only when the round has
    at least MIN_GROUP_SIZE responses, as for the figures. Otherwise a question shows how many
    open answers it got."""
    questions = list(survey_round.template.questions.all())
    responses = Response.objects.filter(round=survey_round).count()
    counts = (
        Answer.objects.filter(response__round=survey_round, question__kind=Question.Kind.LIKERT)
        .values("question_id", "value")
        .annotate(n=Count("id"))
    )
    means = dict(
        Answer.objects.filter(
            response__round=survey_round,
            question__kind=Question.Kind.LIKERT,
            value__isnull=False,
        )
        .values("question_id")
        .annotate(mean=Avg("value"))
        .values_list("question_id", "mean")
    )
    by_question: dict[int, dict] = {}
    for row in counts:
        by_question.setdefault(row["question_id"], {})[row["value"]] = row["n"]
    enough = responses >= MIN_GROUP_SIZE
    written = Answer.objects.filter(
        response__round=survey_round, question__kind=Question.Kind.OPEN
    ).exclude(text="")
    texts: dict[int, list[str]] = {}
    show_texts = open_answers and enough
    if show_texts:
        for question_id, text in written.order_by("pk").values_list("question_id", "text"):
            texts.setdefault(question_id, []).append(text)
        open_counts = {question_id: len(found) for question_id, found in texts.items()}
    else:  # the number only: the texts never leave the database
        open_counts = dict(
            written.order_by()
            .values("question_id")
            .annotate(n=Count("id"))
            .values_list("question_id", "n")
        )
    rows = []
    for question in questions:
        if question.is_likert:
            dist = by_question.get(question.pk, {})
            total = sum(dist.values())
            shown = enough and total >= MIN_GROUP_SIZE
            rows.append(
                {
                    "question": question,
                    "total": total,
                    "shown": shown,
                    "mean": means.get(question.pk) if shown else None,
                    "distribution": [
                        (value, dist.get(value, 0), _share(dist.get(value, 0), total))
                        for value in LIKERT_VALUES
                    ]
                    + [(None, dist.get(None, 0), _share(dist.get(None, 0), total))],
                }
            )
        else:
            rows.append(
                {
                    "question": question,
                    "open_count": open_counts.get(question.pk, 0),
                    "open_shown": show_texts,
                    "open": texts.get(question.pk, []),
                }
            )
    return {"responses": responses, "enough": enough, "rows": rows}


def _share(part: int, total: int) -> int:
    return round(100 * part / total) if total else 0


def project_trend(project) -> dict:
    """Mean per Likert question and round, for the project's rounds.

    Questions are matched across rounds (and template versions) by their key, not their
    wording; each row is labelled with the wording of the latest round that asked it.
    """
    rounds = list(SurveyRound.objects.filter(project=project).order_by("opens_on", "pk"))
    sizes = dict(
        Response.objects.filter(round__project=project)
        .values("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    cells: dict[str, dict[int, tuple]] = {}
    for row in (
        Answer.objects.filter(
            response__round__project=project,
            question__kind=Question.Kind.LIKERT,
            value__isnull=False,
        )
        .values("response__round_id", "question__key")
        .annotate(mean=Avg("value"), n=Count("id"))
    ):
        cells.setdefault(row["question__key"], {})[row["response__round_id"]] = (
            row["mean"],
            row["n"],
        )
    # The questions the rounds asked, in round order: the latest wording and position win.
    order = {r.template_id: i for i, r in enumerate(rounds)}
    labels: dict[str, Question] = {}
    for question in sorted(
        Question.objects.filter(
            template__rounds__project=project, kind=Question.Kind.LIKERT
        ).distinct(),
        key=lambda q: (order.get(q.template_id, -1), q.position),
    ):
        labels[question.key] = question
    trend = []
    for key in sorted(cells, key=lambda k: (labels[k].position if k in labels else 999, k)):
        per_round = cells[key]
        values = []
        for survey_round in rounds:
            mean, n = per_round.get(survey_round.pk, (None, 0))
            shown = sizes.get(survey_round.pk, 0) >= MIN_GROUP_SIZE and n >= MIN_GROUP_SIZE
            values.append(mean if shown else None)
        question = labels.get(key)
        trend.append((question.localized if question else key, values))
    return {"rounds": rounds, "trend": trend}


def templates_for_municipalities(municipality_ids) -> list[SurveyTemplate]:
    """The templates with their number of questions and rounds (two aggregates, one query)."""
    return list(
        SurveyTemplate.objects.filter(municipality__in=municipality_ids)
        .select_related("municipality")
        .annotate(
            question_count=Count("questions", distinct=True),
            round_count=Count("rounds", distinct=True),
        )
        .order_by("municipality__name", "name", "version", "pk")
    )
