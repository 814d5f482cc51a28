"""The list pages make the same number of queries with few rows and with many."""

import pytest
from django.urls import reverse

from naboskap.conftest import client_for
from naboskap.facility import services


def fill(world, user, count: int) -> None:
    for number in range(count):
        found = services.round_start(project=world.project, by=user)[0]
        services.observation_log(
            round=found, by=user, category="noise", text=f"Observasjon {number}", place="Gata"
        )
        services.observation_all_calm(round=found, by=user)
        services.round_end(round=found, by=user)
        incident = services.incident_log(
            project=world.project, by=user, category="litter", description=f"Hendelse {number}"
        )
        services.follow_up_add(incident=incident, by=user, text="Ryddet.")


SHOWN = {
    "facility:round_list": "1 observasjon",  # the page is in bokmål
    "facility:observation_list": "Observasjon 1",
    "facility:incident_list": "Hendelse 1",
}
PAGES = list(SHOWN)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("count", [2, 30])
def test_list_pages_make_a_fixed_number_of_queries(
    world, name, count, django_assert_max_num_queries
):
    user = world.users["facility_staff"]
    fill(world, user, count)
    client = client_for(user)
    url = reverse(name, args=[world.project.pk])
    client.get(url)  # warm up: session, language
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert SHOWN[name] in response.content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_a_round_and_an_incident_make_a_fixed_number_of_queries(
    world, count, django_assert_max_num_queries
):
    user = world.users["facility_staff"]
    found = services.round_start(project=world.project, by=user)[0]
    incident = services.incident_log(
        project=world.project, by=user, category="noise", description="Bråk."
    )
    for number in range(count):
        services.observation_log(round=found, by=user, category="noise", text=f"Obs {number}")
        services.follow_up_add(incident=incident, by=user, text=f"Oppfølging {number}")
    client = client_for(user)
    client.get(found.get_absolute_url())
    with django_assert_max_num_queries(9):
        assert f"Obs {count - 1}" in client.get(found.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(9):
        page = client.get(incident.get_absolute_url()).content.decode()
    assert f"Oppfølging {count - 1}" in page
