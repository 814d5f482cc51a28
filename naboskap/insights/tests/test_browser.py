"""The survey pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations and nothing scrolls sideways at 320 px. The answer page is also checked
with its errors shown."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.insights import services
from naboskap.insights.models import Answer, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_survey_pages(world, visitor):
    today = timezone.localdate()
    template = services.template_ensure_default(municipality=world.municipality)
    survey_round = services.round_create(
        project=world.project,
        template=template,
        title="Trygghetsundersøkelse 2026",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=20),
    )
    questions = list(template.questions.all())
    for n in range(6):
        response = Response.objects.create(round=survey_round, submitted_on=today)
        Answer.objects.bulk_create(
            [Answer(response=response, question=q, value=1 + n % 5) for q in questions[:3]]
            + [Answer(response=response, question=questions[3], text=f"Svar nummer {n}")]
        )

    page = visitor.open(reverse("portal:survey_answer", args=[survey_round.token]))
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").first.is_visible()
    visitor.audit()

    visitor.login(world.users["coordinator"])
    visitor.open(reverse("insights:rounds", args=[world.project.pk]))
    visitor.open(reverse("insights:round_create", args=[world.project.pk]))
    visitor.open(reverse("insights:round_results", args=[world.project.pk, survey_round.pk]))
    visitor.open(reverse("insights:round_codes", args=[world.project.pk, survey_round.pk]))
    visitor.open(reverse("insights:template_list"))
    visitor.open(template.get_absolute_url())  # frozen: the notice and "make a new version"
    visitor.assert_no_problems()


def test_template_editor_pages(world, visitor):
    template = services.template_create(municipality=world.municipality, name="Trygghet Nord")
    services.question_add(
        template=template, kind="likert", text="Jeg føler meg trygg.", text_en="I feel safe."
    )
    services.question_add(template=template, kind="likert", text="Jeg kjenner naboene.")
    services.question_add(template=template, kind="open", text="Noe annet?", key="annet")
    visitor.login(world.users["coordinator"])
    visitor.open(reverse("insights:template_list"))
    visitor.open(reverse("insights:template_create"))
    page = visitor.open(template.get_absolute_url())
    # Reorder with the buttons: the last question moves up.
    with page.expect_navigation():
        page.locator("form[action$='/flytt/'] button").last.click()
    assert page.locator("main ol h3").nth(1).inner_text() == "Noe annet?"
    visitor.audit()
    page = visitor.open(reverse("insights:question_create", args=[template.pk]))
    page.fill("#id_key", "annet")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").first.is_visible()
    visitor.audit()
    question = template.questions.first()
    visitor.open(reverse("insights:question_edit", args=[template.pk, question.pk]))
    visitor.open(reverse("insights:template_edit", args=[template.pk]))
    visitor.assert_no_problems()


def test_a_letters_qr_code_fills_in_the_code_once(world, visitor):
    today = timezone.localdate()
    survey_round = services.round_create(
        project=world.project,
        template=services.template_ensure_default(municipality=world.municipality),
        title="Trygghetsundersøkelse 2026",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=20),
    )
    code = services.codes_generate(survey_round=survey_round, count=1)[0]
    path = reverse("portal:survey_answer", args=[survey_round.token])
    page = visitor.open(f"{path}#kode={code}")
    assert page.input_value("#id_code") == code
    assert "kode" not in page.url  # taken out of the address bar and the history
    for radio in page.locator("input[type=radio][value='4']").all():
        radio.check()
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 200
    visitor.audit()
    assert Response.objects.count() == 1
    # The same code again, from an older letter's link with the code in the query: it is
    # filled in, and used up.
    page = visitor.open(f"{path}?kode={code}")
    assert page.input_value("#id_code") == code
    for radio in page.locator("input[type=radio][value='4']").all():
        radio.check()
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").first.is_visible()
    visitor.audit()
    assert Response.objects.count() == 1
    visitor.assert_no_problems()
