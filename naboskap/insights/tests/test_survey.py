"""The neighbour safety survey, through HTTP: rounds, the public answer page, results."""

import datetime
import html
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import client_for, english
from naboskap.insights import services
from naboskap.insights.models import Answer, Question, Response, SurveyRound
from naboskap.testing.documents import fetch_run

FUZZ = hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TODAY = timezone.localdate()
# The same bound with 5 and 40 responses: the figures are aggregates in the database.
QUERY_BOUND = 13
DAY = datetime.timedelta(days=1)


def make_round(world, *, title="Trygghet 2026", opens_on=None, closes_on=None):
    return services.round_create(
        project=world.project,
        template=services.template_ensure_default(municipality=world.municipality),
        title=title,
        opens_on=opens_on or TODAY - DAY,
        closes_on=closes_on or TODAY + 30 * DAY,
    )


def answer_data(survey_round, values=(4, 5, "dk"), text="Mer lys på stien, takk."):
    questions = list(survey_round.template.questions.all())
    data = {}
    likert = [q for q in questions if q.is_likert]
    for question, value in zip(likert, values, strict=True):
        data[f"q{question.pk}"] = str(value)
    for question in questions:
        if not question.is_likert:
            data[f"q{question.pk}"] = text
    return data


def answer_url(survey_round):
    return reverse("portal:survey_answer", args=[survey_round.token])


def submit(survey_round, n, values=(4, 5, "dk")):
    client = english()
    for _ in range(n):
        assert (
            client.post(answer_url(survey_round), answer_data(survey_round, values)).status_code
            == 200
        )


@pytest.fixture
def survey_round(world):
    return make_round(world)


@pytest.fixture
def coordinator(world):
    return client_for(world.users["coordinator"], language="en")


def test_the_default_template_has_three_statements_and_an_open_question_in_three_languages(world):
    template = services.template_ensure_default(municipality=world.municipality)
    again = services.template_ensure_default(municipality=world.municipality)
    assert template == again
    questions = list(template.questions.all())
    assert [q.kind for q in questions] == ["likert"] * 3 + ["open"]
    assert all(q.text and q.text_nn and q.text_en for q in questions)
    assert questions[0].text_en == "I feel safe in my neighbourhood."


def test_a_coordinator_creates_a_round(world, coordinator):
    url = reverse("insights:round_create", args=[world.project.pk])
    page = coordinator.get(url)
    template = world.municipality.survey_templates.get()
    response = coordinator.post(
        url,
        {
            "title": "Trygghet 2026",
            "template": template.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + 20 * DAY).isoformat(),
        },
    )
    assert page.status_code == 200
    survey_round = SurveyRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "insights:round_results", args=[world.project.pk, survey_round.pk]
    )
    results = coordinator.get(response["Location"])
    assert "<svg" in results.content.decode()  # the QR code
    assert survey_round.token in results.content.decode()


def test_a_round_closing_before_it_opens_is_refused_and_what_was_typed_is_kept(world, coordinator):
    url = reverse("insights:round_create", args=[world.project.pk])
    coordinator.get(url)
    template = world.municipality.survey_templates.get()
    response = coordinator.post(
        url,
        {
            "title": "Baklengs runde",
            "template": template.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY - DAY).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The round cannot close before it opens." in response.content.decode()
    assert "Baklengs runde" in response.content.decode()
    assert not SurveyRound.objects.exists()


def test_a_neighbour_answers_anonymously(survey_round):
    client = english()
    page = client.get(answer_url(survey_round))
    assert page.status_code == 200
    assert "I feel safe in my neighbourhood." in page.content.decode()
    response = client.post(answer_url(survey_round), answer_data(survey_round))
    assert response.status_code == 200
    assert "Thank you for your answers" in response.content.decode()
    stored = Response.objects.get()
    assert stored.submitted_on == TODAY
    assert sorted(a.value for a in stored.answers.filter(question__kind="likert") if a.value) == [
        4,
        5,
    ]
    assert stored.answers.get(question__kind="open").text == "Mer lys på stien, takk."
    # Nothing that identifies anyone: the response has a round and a date, nothing else.
    assert {f.name for f in Response._meta.concrete_fields} == {"id", "round", "submitted_on"}


def test_the_answer_page_is_in_nynorsk(survey_round):
    page = client_for(None, language="nn").get(answer_url(survey_round))
    assert "Eg kjenner meg trygg i nabolaget mitt." in page.content.decode()


def test_a_missing_answer_is_refused_and_the_others_are_kept(survey_round):
    data = answer_data(survey_round)
    first = survey_round.template.questions.first()
    del data[f"q{first.pk}"]
    response = english().post(answer_url(survey_round), data)
    assert response.status_code == 400
    assert "Choose an answer" in response.content.decode()
    assert "Mer lys på stien, takk." in response.content.decode()
    assert not Response.objects.exists()


def test_answers_after_the_round_closed_are_refused(world):
    survey_round = make_round(world, opens_on=TODAY - 30 * DAY, closes_on=TODAY - DAY)
    client = english()
    response = client.post(answer_url(survey_round), answer_data(survey_round))
    assert response.status_code == 410
    assert "Answers are not taken now, and nothing was saved." in response.content.decode()
    assert client.get(answer_url(survey_round)).status_code == 410
    assert not Response.objects.exists()


def test_a_round_that_closes_while_answering_stores_nothing(survey_round):
    client = english()
    data = answer_data(survey_round)
    client.get(answer_url(survey_round))
    SurveyRound.objects.filter(pk=survey_round.pk).update(closes_on=TODAY - DAY)
    survey_round.closes_on = TODAY + DAY  # the view saw it open: the service checks again
    with pytest.raises(services.SurveyError):
        services.response_submit(survey_round=survey_round, answers={})
    assert client.post(answer_url(survey_round), data).status_code == 410
    assert not Response.objects.exists()


def test_a_round_of_another_municipality_is_not_found(world, survey_round):
    url = f"/k/{world.other_municipality.slug}{answer_url(survey_round)}"
    assert english().get(url).status_code == 404


def test_answers_are_rate_limited(survey_round, settings):
    settings.PUBLIC_WRITE_RATE = "3/h"
    client = english()
    statuses = [
        client.post(answer_url(survey_round), answer_data(survey_round)).status_code
        for _ in range(4)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    assert Response.objects.count() == 3


@given(
    values=st.lists(st.text(max_size=6), min_size=4, max_size=4),
    token=st.text(max_size=60),
)
@FUZZ
def test_fuzzed_answers_and_tokens_never_fail(world, survey_round, settings, values, token):
    settings.RATELIMIT_ENABLE = False
    client = english()
    questions = list(survey_round.template.questions.all())
    data = {f"q{q.pk}": value for q, value in zip(questions, values, strict=True)}
    response = client.post(answer_url(survey_round), data)
    assert response.status_code in {200, 400}
    url = f"/undersokelse/{quote(token, safe='')}/"
    assert client.post(url, data).status_code in {200, 400, 404}
    assert all(a.value in {None, 1, 2, 3, 4, 5} for a in Answer.objects.all())


def test_results_hide_figures_under_five_responses(world, survey_round, coordinator):
    submit(survey_round, 4)
    url = reverse("insights:round_results", args=[world.project.pk, survey_round.pk])
    page = coordinator.get(url).content.decode()
    assert "Too few answers" in page
    assert "Mean " not in page


def test_results_show_counts_mean_and_open_answers_to_staff(world, survey_round, coordinator):
    submit(survey_round, 3, values=(4, 5, "dk"))
    submit(survey_round, 2, values=(2, 5, 3))
    url = reverse("insights:round_results", args=[world.project.pk, survey_round.pk])
    page = coordinator.get(url).content.decode()
    assert "Mean 3.2 of 5 (5 answers)." in page  # (4*3 + 2*2) / 5
    assert "Mean 5.0 of 5 (5 answers)." in page
    # The third question: three "don't know" and two values; the mean counts the values.
    assert "Mean 3.0 of 5 (5 answers)." in page
    assert "Mer lys på stien, takk." in page


def test_the_trend_shows_the_mean_per_round(world, coordinator):
    earlier = make_round(
        world, title="Runde 2025", opens_on=TODAY - 400 * DAY, closes_on=TODAY + DAY
    )
    submit(earlier, 5, values=(2, 3, 3))
    SurveyRound.objects.filter(pk=earlier.pk).update(closes_on=TODAY - 300 * DAY)
    later = make_round(world, title="Runde 2026")
    submit(later, 5, values=(4, 3, 3))
    page = coordinator.get(reverse("insights:rounds", args=[world.project.pk])).content.decode()
    assert "Runde 2025" in page and "Runde 2026" in page
    assert "<td>2.0</td><td>4.0</td>" in page


@pytest.mark.parametrize("count", [5, 40])
def test_results_and_trend_do_not_grow_queries(
    world, coordinator, count, django_assert_max_num_queries
):
    survey_round = make_round(world)
    questions = list(survey_round.template.questions.all())
    for i in range(count):
        response = Response.objects.create(round=survey_round, submitted_on=TODAY)
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question=q,
                value=(i % 5) + 1 if q.kind == Question.Kind.LIKERT else None,
                text="" if q.kind == Question.Kind.LIKERT else f"Svar {i}",
            )
            for q in questions
        )
    for url in (
        reverse("insights:round_results", args=[world.project.pk, survey_round.pk]),
        reverse("insights:rounds", args=[world.project.pk]),
    ):
        with django_assert_max_num_queries(QUERY_BOUND, info=url):
            assert coordinator.get(url).status_code == 200


def test_a_coordinator_downloads_single_use_codes_and_only_hashes_are_stored(
    world, survey_round, coordinator
):
    url = reverse("insights:round_codes", args=[world.project.pk, survey_round.pk])
    assert coordinator.get(url).status_code == 200
    response = fetch_run(coordinator, coordinator.post(url, {"count": "3"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    digests = list(survey_round.codes.values_list("digest", flat=True))
    assert len(digests) == 3 and all(len(d) == 64 for d in digests)


def test_a_bad_number_of_codes_is_refused(world, survey_round, coordinator):
    url = reverse("insights:round_codes", args=[world.project.pk, survey_round.pk])
    response = coordinator.post(url, {"count": "5000"})
    assert response.status_code == 400
    assert "5000" in response.content.decode()
    assert not survey_round.codes.exists()


def test_a_code_gives_one_answer_and_a_second_use_is_refused(survey_round):
    code = services.codes_generate(survey_round=survey_round, count=2)[0]
    client = english()
    page = client.get(answer_url(survey_round) + f"?kode={code}")
    assert f'value="{code}"' in page.content.decode()
    data = {**answer_data(survey_round), "code": code.lower().replace("-", " ")}
    assert client.post(answer_url(survey_round), data).status_code == 200
    again = client.post(answer_url(survey_round), {**data, "code": code})
    assert again.status_code == 400
    assert "This code has already been used. Each code gives one answer." in again.content.decode()
    assert "Mer lys på stien, takk." in again.content.decode()
    assert Response.objects.count() == 1


def test_a_round_with_codes_refuses_answers_without_a_known_code(survey_round):
    services.codes_generate(survey_round=survey_round, count=1)
    client = english()
    missing = client.post(answer_url(survey_round), answer_data(survey_round))
    unknown = client.post(
        answer_url(survey_round), {**answer_data(survey_round), "code": "AAAA-AAAA"}
    )
    assert missing.status_code == 400
    assert unknown.status_code == 400
    assert "We do not know this code." in unknown.content.decode()
    assert not Response.objects.exists()


def test_each_code_on_the_sheet_has_a_qr_code_that_opens_the_survey_with_it(
    world, survey_round, coordinator, monkeypatch
):
    import re

    from pypdf import PdfReader

    from naboskap.insights import documents

    encoded = []
    make_qr = documents.letter_qr
    monkeypatch.setattr(documents, "letter_qr", lambda url: encoded.append(url) or make_qr(url))
    url = reverse("insights:round_codes", args=[world.project.pk, survey_round.pk])
    response = fetch_run(coordinator, coordinator.post(url, {"count": "3"}))
    link = "http://testserver" + answer_url(survey_round)
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    codes = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", text)
    assert len(codes) == 3
    # Each QR code holds the address with its code in the fragment, which browsers never
    # send to the server; the plain codes are only on the sheet, their hashes in the database.
    assert encoded == [f"{link}#kode={code}" for code in codes]
    digests = set(survey_round.codes.values_list("digest", flat=True))
    assert digests == {services.code_digest(code) for code in codes}
    # The slip gives a short address to type, not the long one (issue 17).
    assert link not in text and "/n/" in text
    assert sum(len(page.images) for page in reader.pages) == 3
    # Only hashes are kept: the codes in the PDF are each good for one answer.
    code = codes[0]
    client = english()
    page = client.get(answer_url(survey_round))
    assert 'src="/static/naboskap/survey-code.js' in page.content.decode()
    assert client.post(answer_url(survey_round), {**answer_data(survey_round), "code": code})
    assert survey_round.codes.filter(used=True).count() == 1
    again = client.post(answer_url(survey_round), {**answer_data(survey_round), "code": code})
    assert again.status_code == 400
    assert Response.objects.count() == 1


def test_the_answer_page_never_passes_its_address_on(survey_round):
    code = services.codes_generate(survey_round=survey_round, count=1)[0]
    response = english().get(answer_url(survey_round) + f"?kode={code}")
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_round_without_codes_loads_no_script(survey_round):
    response = english().get(answer_url(survey_round))
    assert response.status_code == 200
    page = response.content.decode()
    question = survey_round.template.questions.first()
    assert f'name="q{question.pk}"' in page  # the answer form itself
    assert "survey-code.js" not in page
    assert 'name="code"' not in page


def test_results_show_a_bar_chart_per_statement_with_five_answers(world, survey_round, coordinator):
    submit(survey_round, 3, values=(4, 5, "dk"))
    submit(survey_round, 2, values=(2, 5, 3))
    url = reverse("insights:round_results", args=[world.project.pk, survey_round.pk])
    page = html.unescape(coordinator.get(url).content.decode())
    assert page.count('<figure class="chart"') == 3
    assert "Answers to question 1" in page
    # Statement 1: three 4s and two 2s.
    assert "60 % agree (4 or 5), 40 % disagree (1 or 2), 0 % don't know, of 5 answers." in page
    assert "0 % agree (4 or 5), 0 % disagree (1 or 2), 60 % don't know, of 5 answers." in page


def test_no_chart_under_five_answers(world, survey_round, coordinator):
    submit(survey_round, 4)
    url = reverse("insights:round_results", args=[world.project.pk, survey_round.pk])
    response = coordinator.get(url)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "4 responses" in page
    assert "Too few answers: figures are shown from 5 responses" in page
    assert '<figure class="chart"' not in page
    assert "% agree" not in page


def test_the_trend_chart_says_when_no_round_has_enough_answers(world, survey_round, coordinator):
    submit(survey_round, 2)
    page = coordinator.get(reverse("insights:rounds", args=[world.project.pk])).content.decode()
    assert "No round has enough answers yet." in page
