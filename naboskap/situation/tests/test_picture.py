"""The situation picture: numbers on hand-made data, nothing that identifies anyone, who
sees it, bad periods, and queries that do not grow with the data."""

import pytest
from django.urls import reverse

from naboskap.conftest import client_for
from naboskap.situation import selectors
from naboskap.situation.tests.helpers import (
    END,
    SECRET_TEXT,
    START,
    at,
    fill,
    observation,
    police_concern,
)
from naboskap.testing.factories import make_concern

pytestmark = pytest.mark.django_db


def url(world, **query):
    base = reverse("situation:picture", args=[world.project.pk])
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def test_picture_counts_by_iso_week_and_category(world):
    fill(world.project)
    found = selectors.picture(world.project, START, END)
    assert [w.iso for w in found.weeks] == [(2026, 10), (2026, 11), (2026, 12)]
    codes = [code for code, _label in found.categories]
    assert codes == ["noise", "litter", "threats"]  # the municipality's category order
    assert [w.counts for w in found.weeks] == [[2, 0, 1], [1, 1, 0], [0, 0, 0]]
    assert [w.by_source for w in found.weeks] == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    assert found.category_totals == [3, 1, 1]
    assert found.source_totals == [2, 2, 1]
    assert found.total == 5
    noise = world.municipality.concern_categories.get(code="noise")
    assert found.categories[0] == ("noise", noise.label)
    assert found.top[0] == (noise.label, 3)


def test_an_observation_made_a_police_concern_counts_once(world):
    made = police_concern(world.project, "noise", at(3))
    observation(world.project, "noise", at(3), concern=made)
    observation(world.project, "noise", at(4), concern=make_concern(world.project, "noise"))
    found = selectors.picture(world.project, START, END)
    assert found.total == 2
    assert found.source_totals == [1, 1, 0]


def test_codes_without_a_concern_category_get_the_facility_label(world):
    from django.utils import translation

    observation(world.project, "litter", at(3))
    with translation.override("en"):
        found = selectors.picture(world.project, START, END)
    assert not world.municipality.concern_categories.exists()
    assert found.categories == [("litter", "Litter and syringes")]
    assert found.weeks[0].counts == [1]


def test_the_page_shows_the_numbers_and_no_identities(world):
    fill(world.project)
    response = client_for(world.users["police"]).get(url(world, fra=START, til=END))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td><strong>5</strong></td>" in page  # the grand total
    for secret in (
        SECRET_TEXT,
        "Ola Anmelder",
        "ola.anmelder@example.org",
        "91234567",
        "912 34 567",
        "Hemmelig observasjonstekst",
        "Lindeveien 3",
        "Hemmelig hendelsesbeskrivelse",
    ):
        assert secret not in page


def test_an_empty_period_says_so(world):
    response = client_for(world.users["coordinator"], language="en").get(
        url(world, fra=START, til=END)
    )
    assert response.status_code == 200
    assert "No incidents were recorded from 2. March 2026 to 22. March 2026" in (
        response.content.decode()
    )
    assert response.context["picture"].total == 0
    assert len(response.context["picture"].weeks) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"fra": "2026-03-22", "til": "2026-03-02"}, "til"),
        ({"fra": "2026-03-02", "til": ""}, "til"),
        ({"fra": "mars", "til": "2026-03-22"}, "fra"),
        ({"fra": "2024-01-01", "til": "2026-03-22"}, "til"),
    ],
)
def test_a_bad_period_is_refused_with_a_message_and_kept(world, query, field):
    response = client_for(world.users["police"]).get(url(world, **query))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert response.context["picture"] is None
    page = response.content.decode()
    assert f'value="{query["fra"]}"' in page


def test_period_end_before_start_message(world):
    response = client_for(world.users["police"], language="en").get(
        url(world, fra="2026-03-22", til="2026-03-02")
    )
    assert "The period must end on or after the day it starts." in response.content.decode()


def test_default_period_is_the_last_twelve_weeks(world):
    response = client_for(world.users["coordinator"]).get(url(world))
    assert response.status_code == 200
    assert len(response.context["picture"].weeks) == 12


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("police", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("politician", 403),
        ("case_handler", 403),
        ("facility_staff", 403),
        ("outsider", 404),
    ],
)
def test_who_sees_the_picture(world, persona_clients, persona, status):
    assert persona_clients[persona].get(url(world)).status_code == status


def test_a_project_scoped_police_liaison_sees_only_their_project(world):
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Role
    from naboskap.testing.factories import ProjectFactory

    other = ProjectFactory(municipality=world.municipality, slug="solbakken", name="Solbakken")
    liaison = make_staff(world.municipality, Role.POLICE, project=world.project)
    client = client_for(liaison)
    assert client.get(url(world)).status_code == 200
    assert client.get(reverse("situation:picture", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("count", [2, 30])
def test_picture_queries_do_not_grow_with_data(world, count, django_assert_max_num_queries):
    from naboskap.situation.tests.helpers import incident, police_concern

    for i in range(count):
        day = 2 + i % 20
        police_concern(world.project, ["noise", "threats", "litter"][i % 3], at(day))
        observation(world.project, ["damage", "noise"][i % 2], at(day, 8))
        incident(world.project, "children", at(day, 9))
    client = client_for(world.users["police"])
    with django_assert_max_num_queries(13):  # one more for the counts per area
        response = client.get(url(world, fra=START, til=END))
    assert response.status_code == 200
    assert response.context["picture"].total == 3 * count
