"""Social events: a budget, cost lines in NOK with the unit that pays, and totals per body per
year (summed in the database)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import selectors, services
from naboskap.meetings.models import CostLine, Meeting
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.meetings.tests.helpers import OSLO


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def party(project, body, *, days=20, title="Sommerfest", **fields):
    return make_meeting(
        project, body=body, days=days, kind=Meeting.Kind.SOCIAL, title=title, **fields
    )


def costs_url(meeting):
    return reverse("meetings:meeting_costs", args=[meeting.project_id, meeting.pk])


def test_costs_and_budget_are_added_and_summed(world, coordinator):
    body = make_body(world.project)
    event = party(world.project, body)
    unit = world.project.responsible_unit
    url = costs_url(event)
    page = coordinator.get(url).content.decode()
    assert "No costs yet." in page
    response = coordinator.post(url, {"budget-budget": "5 000"})
    assert response.status_code == 302
    for item, amount in [("Grillmat", "1 250,50"), ("Kaffe og kaker", "349.5"), ("Leie", "0")]:
        data = {"cost-item": item, "cost-amount": amount, "cost-paying_unit": unit.pk}
        assert coordinator.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.budget == Decimal("5000.00")
    assert sorted(event.cost_lines.values_list("amount", flat=True)) == [
        Decimal("0.00"),
        Decimal("349.50"),
        Decimal("1250.50"),
    ]
    page = coordinator.get(url).content.decode()
    assert "Grillmat" in page and "1,600.00" in page and "3,400.00" in page  # spent, left
    body_page = coordinator.get(body.get_absolute_url()).content.decode()
    year = timezone.localtime(event.starts_at).year
    assert f"{year}: 1 social event, budget NOK 5,000.00, spent NOK 1,600.00." in body_page
    line = event.cost_lines.get(item="Leie")
    delete = reverse("meetings:cost_line_delete", args=[world.project.pk, event.pk, line.pk])
    assert coordinator.post(delete).status_code == 302
    assert not CostLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-100", "The amount cannot be negative."),
        ("−100", "The amount cannot be negative."),
        ("12,345", "Give the amount with at most two decimals (øre)."),
        ("10.001", "Give the amount with at most two decimals (øre)."),
        ("hundre", "Write the amount as a number, for example 1250 or 1250,50."),
        ("99999999999", "The amount is too large."),
    ],
)
def test_bad_amounts_are_explained_and_kept(world, coordinator, amount, message):
    body = make_body(world.project, members=[])
    event = party(world.project, body)
    data = {
        "cost-item": "Pølser",
        "cost-amount": amount,
        "cost-paying_unit": world.project.responsible_unit_id,
    }
    response = coordinator.post(costs_url(event), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and 'value="Pølser"' in page
    assert not CostLine.objects.exists()
    response = coordinator.post(costs_url(event), {"budget-budget": amount})
    assert response.status_code == 400 and message in response.content.decode()
    event.refresh_from_db()
    assert event.budget is None


def test_a_unit_of_another_municipality_cannot_pay(world, coordinator):
    from naboskap.testing.factories import UnitFactory

    event = party(world.project, make_body(world.project, members=[]))
    foreign = UnitFactory(municipality=world.other_municipality, name="Fremmed")
    data = {"cost-item": "Pølser", "cost-amount": "10", "cost-paying_unit": foreign.pk}
    assert coordinator.post(costs_url(event), data).status_code == 400
    assert not CostLine.objects.exists()


def test_only_social_events_have_costs(world, coordinator):
    body = make_body(world.project, members=[])
    council = make_meeting(world.project, body=body)
    assert coordinator.get(costs_url(council)).status_code == 404
    with pytest.raises(services.ValidationError):
        services.meeting_set_budget(meeting=council, budget=Decimal(10))


def test_readers_see_the_costs_but_cannot_change_them(world):
    event = party(world.project, make_body(world.project, members=[]))
    politician = english(world.users["politician"])
    page = politician.get(costs_url(event)).content.decode()
    assert "Add a cost" not in page
    data = {
        "cost-item": "x",
        "cost-amount": "1",
        "cost-paying_unit": world.project.responsible_unit_id,
    }
    assert politician.post(costs_url(event), data).status_code == 403


def test_totals_per_year_count_budgets_of_held_events_and_every_cost(world):
    from naboskap.testing.factories import UnitFactory

    body = make_body(world.project, members=[])
    unit = world.project.responsible_unit
    other_unit = UnitFactory(municipality=world.municipality, name="Kultur")
    events = {}
    # 31 December 23:30 in Oslo is still the old year (it is 22:30 UTC).
    for title, when, budget in [
        ("Sommerfest", datetime(2031, 6, 20, 17, 0), "3000"),
        ("Julefest", datetime(2031, 12, 31, 23, 30), "4000"),
        ("Avlyst", datetime(2031, 9, 1, 17, 0), "999"),
        ("Fjorårets fest", datetime(2030, 6, 20, 17, 0), "2500"),
        ("Nyttårsfest", datetime(2032, 1, 1, 0, 30), "100"),
    ]:
        event = party(world.project, body, title=title)
        starts = when.replace(tzinfo=OSLO)
        Meeting.objects.filter(pk=event.pk).update(
            starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        services.meeting_set_budget(meeting=event, budget=Decimal(budget))
        events[title] = event
    add = services.cost_line_add
    add(meeting=events["Sommerfest"], item="Mat", amount=Decimal("1200.50"), paying_unit=unit)
    add(meeting=events["Julefest"], item="Grøt", amount=Decimal("800"), paying_unit=other_unit)
    add(meeting=events["Avlyst"], item="Depositum", amount=Decimal("500"), paying_unit=unit)
    add(meeting=events["Fjorårets fest"], item="Mat", amount=Decimal("2000"), paying_unit=unit)
    services.meeting_cancel(meeting=events["Avlyst"], reason="Ingen saker")
    years = {row["year"]: row for row in selectors.budget_by_year(body)}
    assert list(years) == [2032, 2031, 2030]
    year = years[2031]
    assert year["budget"] == Decimal("7000.00") and year["events"] == 2
    assert year["spent"] == Decimal("2500.50")  # the deposit of the cancelled party too
    assert year["left"] == Decimal("4499.50")
    assert {u["name"]: u["spent"] for u in year["units"]} == {
        unit.name: Decimal("1700.50"),
        "Kultur": Decimal("800.00"),
    }
    assert years[2030]["budget"] == Decimal("2500.00")
    assert years[2030]["spent"] == Decimal("2000.00")
    assert years[2032]["budget"] == Decimal("100.00") and years[2032]["spent"] == 0


@pytest.mark.parametrize("count", [2, 40])
def test_the_budget_page_takes_the_same_queries_for_few_and_many_events(
    world, coordinator, count, django_assert_max_num_queries
):
    body = make_body(world.project, members=[])
    unit = world.project.responsible_unit
    for n in range(count):
        event = party(world.project, body, days=5 + n, title=f"Fest {n}")
        services.meeting_set_budget(meeting=event, budget=Decimal(1000))
        services.cost_line_add(meeting=event, item="Mat", amount=Decimal(100), paying_unit=unit)
    url = reverse("meetings:body_budget", args=[world.project.pk, body.pk])
    with django_assert_max_num_queries(12):
        response = coordinator.get(url)
    assert response.status_code == 200 and "Fest 1" in response.content.decode()
    with django_assert_max_num_queries(14):
        assert coordinator.get(costs_url(event)).status_code == 200
