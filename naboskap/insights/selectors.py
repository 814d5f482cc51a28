"""Survey results, computed in the database (a fixed number of queries per page)."""

from __future__ import annotations

from django.db.models import Avg, Count

from naboskap.insights.models import (
    LIKERT_VALUES,
    MIN_GROUP_SIZE,
    Answer,
    Question,
    Response,
    SurveyRound,
)


def round_results(survey_round: SurveyRound) -> dict:
    """Per question: answers, distribution, mean; figures hidden under MIN_GROUP_SIZE."""
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
    open_answers: dict[int, list[str]] = {}
    for question_id, text in (
        Answer.objects.filter(response__round=survey_round, question__kind=Question.Kind.OPEN)
        .order_by("pk")
        .values_list("question_id", "text")
    ):
        open_answers.setdefault(question_id, []).append(text)
    enough = responses >= MIN_GROUP_SIZE
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
            rows.append({"question": question, "open": open_answers.get(question.pk, [])})
    return {"responses": responses, "enough": enough, "rows": rows}


def _share(part: int, total: int) -> int:
    return round(100 * part / total) if total else 0


def project_trend(project) -> dict:
    """Mean per Likert question (by its Bokmål text) and round, for the project's rounds."""
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
        .values("response__round_id", "question__text", "question__position")
        .annotate(mean=Avg("value"), n=Count("id"))
        .order_by("question__position")
    ):
        cells.setdefault(row["question__text"], {})[row["response__round_id"]] = (
            row["mean"],
            row["n"],
        )
    questions = {
        q.text: q
        for q in Question.objects.filter(
            template__rounds__project=project, kind=Question.Kind.LIKERT
        ).distinct()
    }
    labels = {text: questions.get(text) for text in cells}
    trend = []
    for text, per_round in cells.items():
        values = []
        for survey_round in rounds:
            mean, n = per_round.get(survey_round.pk, (None, 0))
            shown = sizes.get(survey_round.pk, 0) >= MIN_GROUP_SIZE and n >= MIN_GROUP_SIZE
            values.append(mean if shown else None)
        question = labels[text]
        trend.append((question.localized if question else text, values))
    return {"rounds": rounds, "trend": trend}
