"""Plan page (both groupings), collaboration matrix, "my unit's measures" and the XLSX: the
same number of queries for 5 measures and for 500 across 12 units."""

from django.urls import reverse

from naboskap.conftest import english, make_staff
from naboskap.tenancy.models import Role
from naboskap.testing.factories import make_plan

# One bound for both sizes, with room for the shared layout (menu permissions, session,
# two-step check); the counts must also be equal at both sizes.
MAX_QUERIES = 16


def test_plan_pages_do_not_grow_queries(world, django_assert_max_num_queries):
    units = make_plan(world.project, measures=5, units=12)
    member = make_staff(world.municipality, Role.CASE_HANDLER, unit=units[0], username="plan")
    client = english(member)
    plan = reverse("plans:plan", args=[world.project.pk])
    pages = [
        (plan, {}),
        (plan, {"group": "unit"}),
        (plan, {"group": "unit", "overdue": "on", "unit": units[1].pk}),
        (reverse("plans:matrix", args=[world.project.pk]), {}),
        (reverse("plans:my_measures"), {}),
        (reverse("plans:my_measures"), {"side": "2", "status": "planned"}),
        (reverse("plans:plan_xlsx", args=[world.project.pk]), {}),
    ]

    def counts() -> list[int]:
        result = []
        for url, query in pages:
            with django_assert_max_num_queries(MAX_QUERIES, info=f"{url} {query}") as captured:
                assert client.get(url, query).status_code == 200
            result.append(len(captured))
        return result

    client.get(plan)  # the session's first request does some work once
    small = counts()
    make_plan(world.project, measures=495, units=units)
    assert counts() == small

    html = client.get(plan, {"group": "unit"}).content.decode()
    assert html.count("<tr data-overdue>") == 100
    assert "500 measures" in html
    for unit in units:
        assert f">{unit.name} (" in html
    matrix = client.get(reverse("plans:matrix", args=[world.project.pk])).content.decode()
    assert matrix.count("<abbr title=") == 2 * 500
