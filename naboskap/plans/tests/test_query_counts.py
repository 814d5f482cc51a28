"""Inputs: the list takes as many queries with many inputs (with measures) as with a few, for
those who handle them and for those who see the published summary."""

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.plans.models import Input
from naboskap.testing.factories import make_measure
from naboskap.testing.queries import assert_queries_do_not_grow

ORIGINS = list(Input.Origin)
MODERATIONS = list(Input.Moderation)
DECISIONS = list(Input.Decision)


def add_inputs(project, numbers) -> None:
    """Inputs of every origin, moderation and decision; every other one with a measure."""
    for n in numbers:
        input = Input.objects.create(
            project=project,
            text=f"Innspill {n}: mer lys på stien.",
            origin=ORIGINS[n % len(ORIGINS)],
            from_whom=f"Nabo {n}" if n % 3 else "",
            theme=f"Tema {n % 4}",
            decision=DECISIONS[n % len(DECISIONS)],
            moderation=MODERATIONS[n % len(MODERATIONS)],
            public_text=f"Offentlig innspill {n}",
        )
        if n % 2:
            make_measure(project, title=f"Tiltak {n}", input=input)


@pytest.mark.parametrize("persona", ["coordinator", "politician"])
def test_the_input_list_does_not_grow_queries(world, persona, django_assert_num_queries):
    add_inputs(world.project, range(3))
    response = assert_queries_do_not_grow(
        english(world.users[persona]),
        reverse("inputs:list", args=[world.project.pk]),
        lambda: add_inputs(world.project, range(3, 30)),
        django_assert_num_queries,
    )
    page = response.content.decode()
    if persona == "coordinator":  # what was said, newest first
        assert "Innspill 29: mer lys på stien." in page
    else:  # the summary: only the curated text of published inputs
        assert "Offentlig innspill 28" in page  # 28 % 3 == 1: published
        assert "Offentlig innspill 29" not in page  # hidden
        assert "Innspill 28: mer lys" not in page
