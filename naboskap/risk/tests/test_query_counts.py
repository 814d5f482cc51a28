"""Risk scales: the list takes as many queries with many scales (and versions) as with one."""

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.risk import services
from naboskap.testing.queries import assert_queries_do_not_grow


def add_scales(municipality, names) -> None:
    """Scales from both presets, in both sizes; every other one edited into a second version."""
    for n, name in enumerate(names):
        scale = services.scale_create_from_preset(
            municipality, ("nabolag", "dsb")[n % 2], (5, 4)[n // 2 % 2], name=name
        )
        if n % 2:
            version = services.scale_current_version(scale)
            services.scale_edit(scale=scale, content=services.scale_content(version))


@pytest.mark.parametrize("persona", ["admin", "politician"])
def test_the_scale_list_does_not_grow_queries(world, persona, django_assert_num_queries):
    services.scale_ensure_default(world.municipality)
    response = assert_queries_do_not_grow(
        english(world.users[persona]),
        reverse("risk:scale_list"),
        lambda: add_scales(world.municipality, [f"Skala {n}" for n in range(6)]),
        django_assert_num_queries,
    )
    page = response.content.decode()
    assert all(f"Skala {n}" in page for n in range(6))
