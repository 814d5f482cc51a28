"""Survey templates on the staff pages: make, edit, reorder, freeze, new versions; the trend
matches questions by key across versions."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import client_for
from naboskap.insights import services
from naboskap.insights.models import Question, SurveyRound, SurveyTemplate
from naboskap.insights.tests.test_survey import make_round, submit

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
# The template list with 2 and 12 templates: one aggregate query for all of them.
LIST_QUERY_BOUND = 9


@pytest.fixture
def coordinator(world):
    return client_for(world.users["coordinator"], language="en")


@pytest.fixture
def template(world):
    template = services.template_create(municipality=world.municipality, name="Trygghet 2027")
    services.question_add(
        template=template,
        kind="likert",
        text="Jeg føler meg trygg.",
        text_nn="Eg kjenner meg trygg.",
        text_en="I feel safe.",
    )
    services.question_add(template=template, kind="likert", text="Jeg kjenner naboene.")
    services.question_add(template=template, kind="open", text="Noe annet?", key="annet")
    return template


def question_data(**overrides):
    data = {
        "kind": "likert",
        "text": "Jeg vet hvem jeg kan ringe.",
        "text_nn": "Eg veit kven eg kan ringje.",
        "text_en": "I know whom to call.",
        "key": "",
    }
    return {**data, **overrides}


def texts(template):
    return list(template.questions.order_by("position").values_list("position", "text"))


def test_a_coordinator_makes_a_template_and_adds_questions(world, coordinator):
    page = coordinator.get(reverse("insights:template_create"))
    assert page.status_code == 200
    response = coordinator.post(reverse("insights:template_create"), {"name": "Trygghet Nord"})
    template = SurveyTemplate.objects.get(name="Trygghet Nord")
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    assert template.municipality == world.municipality and not template.is_frozen

    url = reverse("insights:question_create", args=[template.pk])
    assert coordinator.post(url, question_data()).status_code == 302
    assert coordinator.post(url, question_data(kind="open", text="Noe mer?", key="mer")).status_code
    likert, open_question = template.questions.order_by("position")
    assert (likert.position, likert.kind, likert.key) == (1, "likert", "i-know-whom-to-call")
    assert (likert.text_nn, likert.text_en) == (
        "Eg veit kven eg kan ringje.",
        "I know whom to call.",
    )
    assert (open_question.position, open_question.key) == (2, "mer")

    detail = coordinator.get(template.get_absolute_url()).content.decode()
    assert "Jeg vet hvem jeg kan ringe." in detail and "Eg veit kven eg kan ringje." in detail
    assert "i-know-whom-to-call" in detail
    listing = coordinator.get(reverse("insights:template_list")).content.decode()
    assert "Trygghet Nord" in listing and "Can be changed" in listing


def test_a_key_from_norwegian_text_keeps_its_letters_readable(template):
    question = services.question_add(template=template, kind="likert", text="Været på gården")
    assert question.key == "vaeret-pa-garden"


def test_an_empty_question_is_refused_and_what_was_typed_is_kept(template, coordinator):
    url = reverse("insights:question_create", args=[template.pk])
    response = coordinator.post(url, question_data(text="  ", text_en="I know whom to call."))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write the question in Bokmål." in page
    assert "Eg veit kven eg kan ringje." in page
    assert template.questions.count() == 3


def test_a_duplicate_key_is_refused_and_what_was_typed_is_kept(template, coordinator):
    url = reverse("insights:question_create", args=[template.pk])
    response = coordinator.post(url, question_data(key="annet"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another question in this template has the key “annet”." in page
    assert "Jeg vet hvem jeg kan ringe." in page
    assert template.questions.count() == 3


def test_a_key_with_spaces_or_symbols_is_refused(template, coordinator):
    url = reverse("insights:question_create", args=[template.pk])
    response = coordinator.post(url, question_data(key="føler meg trygg!"))
    assert response.status_code == 400
    assert "Use lower-case letters, digits and hyphens only" in response.content.decode()
    assert template.questions.count() == 3


def test_a_question_is_edited(template, coordinator):
    question = template.questions.get(position=2)
    url = reverse("insights:question_edit", args=[template.pk, question.pk])
    assert "Jeg kjenner naboene." in coordinator.get(url).content.decode()
    response = coordinator.post(
        url, question_data(text="Jeg kjenner flere naboer.", key="kjenner-naboene")
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.key, question.position) == (
        "Jeg kjenner flere naboer.",
        "kjenner-naboene",
        2,
    )


def test_questions_move_up_and_down_and_removal_closes_the_gap(template, coordinator):
    first, _second, third = template.questions.order_by("position")
    move = reverse("insights:question_move", args=[template.pk, third.pk])
    assert coordinator.post(move, {"direction": "up"}).status_code == 302
    assert texts(template) == [
        (1, "Jeg føler meg trygg."),
        (2, "Noe annet?"),
        (3, "Jeg kjenner naboene."),
    ]
    move_first = reverse("insights:question_move", args=[template.pk, first.pk])
    coordinator.post(move_first, {"direction": "up"})  # already first: nothing changes
    coordinator.post(move_first, {"direction": "sideways"})
    assert texts(template)[0] == (1, "Jeg føler meg trygg.")
    delete = reverse("insights:question_delete", args=[template.pk, first.pk])
    response = coordinator.post(delete, follow=True)
    assert "The question was removed." in response.content.decode()
    assert texts(template) == [(1, "Noe annet?"), (2, "Jeg kjenner naboene.")]


def test_a_template_is_renamed_and_an_empty_name_is_refused(template, coordinator):
    url = reverse("insights:template_edit", args=[template.pk])
    assert coordinator.post(url, {"name": "Trygghet og trivsel"}).status_code == 302
    template.refresh_from_db()
    assert template.name == "Trygghet og trivsel"
    empty = coordinator.post(url, {"name": " "})
    assert empty.status_code == 400
    template.refresh_from_db()
    assert template.name == "Trygghet og trivsel"


def test_a_round_freezes_its_template_and_edits_are_refused_with_the_input_kept(
    world, template, coordinator
):
    question = template.questions.get(position=1)
    edit_url = reverse("insights:question_edit", args=[template.pk, question.pk])
    coordinator.get(edit_url)  # the form was open when ...
    services.round_create(
        project=world.project,
        template=template,
        title="Runde 2027",
        opens_on=TODAY,
        closes_on=TODAY + 10 * DAY,
    )
    template.refresh_from_db()
    assert template.is_frozen
    # ... someone else started a round with the template: the save is refused.
    response = coordinator.post(edit_url, question_data(text="Jeg føler meg svært trygg."))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This template is used by a survey round, so it cannot change" in page
    assert "Jeg føler meg svært trygg." in page
    assert "Make a new version" in page
    question.refresh_from_db()
    assert question.text == "Jeg føler meg trygg."

    added = coordinator.post(
        reverse("insights:question_create", args=[template.pk]), question_data()
    )
    renamed = coordinator.post(
        reverse("insights:template_edit", args=[template.pk]), {"name": "Nytt navn"}
    )
    moved = coordinator.post(
        reverse("insights:question_move", args=[template.pk, question.pk]),
        {"direction": "down"},
        follow=True,
    )
    removed = coordinator.post(
        reverse("insights:question_delete", args=[template.pk, question.pk]), follow=True
    )
    assert added.status_code == renamed.status_code == 400
    assert "This template is used by a survey round" in moved.content.decode()
    assert "This template is used by a survey round" in removed.content.decode()
    template.refresh_from_db()
    assert template.name == "Trygghet 2027"
    assert texts(template) == [
        (1, "Jeg føler meg trygg."),
        (2, "Jeg kjenner naboene."),
        (3, "Noe annet?"),
    ]
    detail = coordinator.get(template.get_absolute_url()).content.decode()
    assert "Add a question" not in detail and "Move down" not in detail
    assert "Used by 1 round" in detail


def test_a_new_version_copies_the_questions_and_their_keys(world, template, coordinator):
    services.round_create(
        project=world.project,
        template=template,
        title="Runde 2027",
        opens_on=TODAY,
        closes_on=TODAY + 10 * DAY,
    )
    response = coordinator.post(reverse("insights:template_new_version", args=[template.pk]))
    copy = SurveyTemplate.objects.get(previous=template)
    assert response["Location"] == copy.get_absolute_url()
    assert (copy.name, copy.version, copy.is_frozen) == ("Trygghet 2027", 2, False)
    assert list(copy.questions.values_list("position", "key", "kind", "text", "text_en")) == list(
        template.questions.values_list("position", "key", "kind", "text", "text_en")
    )
    page = coordinator.get(copy.get_absolute_url()).content.decode()
    assert "Trygghet 2027, version 2" in page and "Add a question" in page
    question = copy.questions.get(position=1)
    coordinator.post(
        reverse("insights:question_edit", args=[copy.pk, question.pk]),
        question_data(text="Jeg føler meg trygg der jeg bor.", key=question.key),
    )
    assert template.questions.get(position=1).text == "Jeg føler meg trygg."
    assert copy.questions.get(position=1).text == "Jeg føler meg trygg der jeg bor."
    # The round form offers both versions by name.
    form = coordinator.get(reverse("insights:round_create", args=[world.project.pk]))
    assert "Trygghet 2027, version 2" in form.content.decode()


def test_the_trend_matches_questions_by_key_across_template_versions(world, coordinator):
    first = make_round(world, title="Runde 2025", opens_on=TODAY - 400 * DAY)
    submit(first, 5, values=(2, 3, 3))
    SurveyRound.objects.filter(pk=first.pk).update(closes_on=TODAY - 300 * DAY)
    copy = services.template_new_version(template=first.template)
    safe = copy.questions.get(key="trygg-i-nabolaget")
    services.question_edit(
        question=safe,
        kind="likert",
        key=safe.key,
        text="Jeg føler meg trygg der jeg bor.",
        text_en="I feel safe where I live.",
    )
    other = copy.questions.get(key="vet-hvor-jeg-henvender-meg")
    services.question_edit(
        question=other, kind="likert", key="kjenner-naboene", text="Jeg kjenner naboene mine."
    )
    services.question_move(question=copy.questions.get(key="noe-annet"), step=-1)
    second = services.round_create(
        project=world.project,
        template=copy,
        title="Runde 2026",
        opens_on=TODAY - DAY,
        closes_on=TODAY + 30 * DAY,
    )
    submit(second, 5, values=(4, 5, 3))
    page = coordinator.get(reverse("insights:rounds", args=[world.project.pk])).content.decode()
    # One row for the reworded question (same key), labelled with the latest wording.
    assert '<th scope="row">I feel safe where I live.</th><td>2.0</td><td>4.0</td>' in page
    assert "I feel safe in my neighbourhood." not in page
    # A new key is a new question: no figure for the earlier round; the old one ends.
    assert "Jeg kjenner naboene mine.</th><td>Too few answers</td><td>5.0</td>" in page
    assert "I know where to turn if something happens.</th><td>3.0</td><td>Too few" in page
    assert "Mean answer per round" in page  # the chart


def test_a_round_needs_a_template_with_questions(world, coordinator):
    empty = services.template_create(municipality=world.municipality, name="Tom mal")
    services.template_ensure_default(municipality=world.municipality)
    response = coordinator.post(
        reverse("insights:round_create", args=[world.project.pk]),
        {
            "title": "Runde uten spørsmål",
            "template": empty.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + DAY).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "This template has no questions yet." in response.content.decode()
    assert "Runde uten spørsmål" in response.content.decode()
    assert not SurveyRound.objects.exists()
    empty.refresh_from_db()
    assert not empty.is_frozen


def test_a_politician_reads_templates_but_cannot_change_them(world, template):
    politician = client_for(world.users["politician"], language="en")
    page = politician.get(template.get_absolute_url()).content.decode()
    assert "Jeg kjenner naboene." in page
    assert "Add a question" not in page and "Remove" not in page
    refused = politician.post(
        reverse("insights:question_create", args=[template.pk]), question_data()
    )
    assert refused.status_code == 403
    assert template.questions.count() == 3
    listing = politician.get(reverse("insights:template_list")).content.decode()
    assert "New template" not in listing


def test_another_municipalitys_template_is_not_found(world, template):
    outsider = client_for(world.users["outsider"], language="en")
    assert outsider.get(template.get_absolute_url()).status_code == 404
    assert "Trygghet 2027" not in outsider.get(reverse("insights:template_list")).content.decode()
    outsider.post(reverse("insights:template_create"), {"name": "Annenby-malen"})
    assert SurveyTemplate.objects.get(name="Annenby-malen").municipality == world.other_municipality


@pytest.mark.parametrize("count", [2, 12])
def test_the_template_list_does_not_grow_queries(
    world, coordinator, count, django_assert_max_num_queries
):
    for n in range(count):
        template = services.template_create(municipality=world.municipality, name=f"Mal {n}")
        services.question_add(template=template, kind="likert", text="Spørsmål")
    url = reverse("insights:template_list")
    with django_assert_max_num_queries(LIST_QUERY_BOUND, info=url):
        page = coordinator.get(url)
    assert page.content.decode().count("Can be changed") == count


def test_the_migration_gives_existing_questions_keys_and_freezes_used_templates(world):
    from importlib import import_module

    migration = import_module("naboskap.insights.migrations.0002_template_versions_question_keys")
    used = services.template_ensure_default(municipality=world.municipality)
    make_round(world)
    other = services.template_create(municipality=world.municipality, name="Egen")
    for position, text in enumerate(["Trives du?", "Trives du?", "!!!"], start=1):
        Question.objects.create(template=other, position=position, key=f"x{position}", text=text)
    for question in Question.objects.all():  # as before the migration: no keys to go by
        Question.objects.filter(pk=question.pk).update(key=f"old-{question.pk}")
    SurveyTemplate.objects.update(frozen_at=None)
    migration.fill_keys(apps, None)
    assert list(used.questions.values_list("key", flat=True)) == [
        key for key, *_rest in services.DEFAULT_QUESTIONS
    ]
    assert list(other.questions.values_list("key", flat=True)) == [
        "trives-du",
        "trives-du-2",
        "sporsmal-3",
    ]
    assert SurveyTemplate.objects.get(pk=used.pk).is_frozen
    assert not SurveyTemplate.objects.get(pk=other.pk).is_frozen
