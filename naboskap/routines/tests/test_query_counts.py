"""Routines: the list and a project's checklist take as many queries with many routines and
tasks as with a few."""

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.routines.tests.factories import apply_routine, make_routine
from naboskap.testing.queries import assert_queries_do_not_grow


def add_routines(municipality, numbers) -> list:
    """Routines of three tasks each: published ones, and every third a draft."""
    return [
        make_routine(municipality, slug=f"rutine-{n}", name=f"Rutine {n}", publish=n % 3 != 0)
        for n in numbers
    ]


@pytest.mark.parametrize("persona", ["coordinator", "police"])
def test_the_routine_list_does_not_grow_queries(world, persona, django_assert_num_queries):
    add_routines(world.municipality, range(2))
    response = assert_queries_do_not_grow(
        english(world.users[persona]),
        reverse("routines:list"),
        lambda: add_routines(world.municipality, range(2, 10)),
        django_assert_num_queries,
    )
    assert "Rutine 8" in response.content.decode()


def apply_routines(project, numbers) -> None:
    for routine in add_routines(project.municipality, numbers):
        if routine.status == routine.Status.PUBLISHED:
            apply_routine(project, routine)


@pytest.mark.parametrize("persona", ["coordinator", "facility_staff"])
def test_the_checklist_does_not_grow_queries(world, persona, django_assert_num_queries):
    apply_routines(world.project, [1])
    response = assert_queries_do_not_grow(
        english(world.users[persona]),
        reverse("routines:checklist", args=[world.project.pk]),
        lambda: apply_routines(world.project, range(2, 8)),
        django_assert_num_queries,
    )
    assert "Informer naboene" in response.content.decode()
