"""Open survey answers are need-to-know: read only by those who run the project's survey
(administrators, coordinators, the dialogue owner), and only from MIN_GROUP_SIZE responses,
like the statements' figures. Everyone else sees how many there are."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import client_for, make_staff
from naboskap.insights import services
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.tenancy.models import Role

TODAY = timezone.localdate()
TEXT = "Mannen i blokk B skremmer barna"
READERS = {"admin", "coordinator"}
OTHERS = {"case_handler", "unit_handler", "facility_staff", "caretaker", "police", "politician"}


@pytest.fixture
def clients(world):
    users = dict(world.users)
    users["caretaker"] = make_staff(world.municipality, Role.CARETAKER, username="caretaker")
    users["unit_handler"] = make_staff(
        world.municipality, Role.CASE_HANDLER, unit=world.project.responsible_unit
    )
    found = {name: client_for(user, language="en") for name, user in users.items()}
    found["anonymous"] = client_for(None, language="en")
    return found


@pytest.fixture
def survey_round(world):
    return services.round_create(
        project=world.project,
        template=services.template_ensure_default(municipality=world.municipality),
        title="Trygghet 2026",
        opens_on=TODAY - datetime.timedelta(days=1),
        closes_on=TODAY + datetime.timedelta(days=30),
    )


def answer(survey_round, n: int, start: int = 0) -> None:
    client = client_for(None, language="en")
    url = reverse("portal:survey_answer", args=[survey_round.token])
    questions = list(survey_round.template.questions.all())
    for i in range(start, start + n):
        data = {f"q{q.pk}": "4" if q.is_likert else f"{TEXT} ({i})" for q in questions}
        assert client.post(url, data).status_code == 200


def results(clients, persona, survey_round):
    url = reverse("insights:round_results", args=[survey_round.project_id, survey_round.pk])
    return clients[persona].get(url)


def test_the_threshold_is_the_statements_own():
    assert MIN_GROUP_SIZE == 5


@pytest.mark.parametrize("persona", sorted(READERS))
def test_readers_see_open_answers_from_five_responses_not_at_four(clients, survey_round, persona):
    answer(survey_round, MIN_GROUP_SIZE - 1)
    page = results(clients, persona, survey_round)
    body = page.content.decode()
    assert page.status_code == 200
    assert "4 open answers." in body
    assert "The answers are shown from 5 responses" in body
    assert TEXT not in body
    answer(survey_round, 1, start=MIN_GROUP_SIZE - 1)
    page = results(clients, persona, survey_round)
    body = page.content.decode()
    assert page.status_code == 200
    assert "5 open answers." in body
    assert all(f"{TEXT} ({i})" in body for i in range(5))
    assert "Mean 4.0 of 5 (5 answers)." in body  # the statements, at the same threshold


@pytest.mark.parametrize("persona", sorted(OTHERS))
def test_others_see_only_how_many_open_answers(clients, survey_round, persona):
    answer(survey_round, MIN_GROUP_SIZE + 1)
    page = results(clients, persona, survey_round)
    body = page.content.decode()
    assert page.status_code == 200
    assert "6 open answers." in body
    assert "Mean 4.0 of 5 (6 answers)." in body  # the figures are for everyone with a role
    assert TEXT not in body


def test_the_dialogue_owner_reads_them_and_anonymous_is_sent_to_log_in(
    world, clients, survey_round
):
    owner = make_staff(world.municipality, Role.POLITICIAN)
    world.project.dialogue_owner = owner
    world.project.save()
    answer(survey_round, MIN_GROUP_SIZE)
    body = client_for(owner, language="en").get(
        reverse("insights:round_results", args=[world.project.pk, survey_round.pk])
    )
    assert body.status_code == 200 and f"{TEXT} (0)" in body.content.decode()
    response = results(clients, "anonymous", survey_round)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_dashboard_export_has_no_open_answers(world, clients, survey_round):
    answer(survey_round, MIN_GROUP_SIZE)
    url = reverse("insights:project_dashboard_export", args=[world.project.pk, "csv"])
    response = clients["politician"].get(url)
    assert response.status_code == 200
    assert TEXT not in response.content.decode("utf-8-sig")
