"""The meetings list takes as many queries with many meetings as with a few."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.models import Meeting
from naboskap.testing.queries import assert_queries_do_not_grow


def add_meetings(project, count: int, *, body=None) -> None:
    """`count` meetings to come and `count` held ones, in the council and outside it."""
    now = timezone.now().replace(second=0, microsecond=0)
    for n in range(count):
        for days in (n + 1, -(n + 1)):
            services.meeting_create(
                project=project,
                created_by=None,
                body=body if n % 2 else None,
                kind=Meeting.Kind.COUNCIL if body and n % 2 else Meeting.Kind.DIALOGUE,
                title=f"Møte {days:+03d}",
                place="Fellesstua, Solbakken 3",
                starts_at=now + timedelta(days=days),
                ends_at=now + timedelta(days=days, hours=2),
            )


@pytest.mark.parametrize("persona", ["coordinator", "politician"])
def test_the_meetings_list_does_not_grow_queries(world, persona, django_assert_num_queries):
    body = services.body_create(
        project=world.project,
        name="Naborådet",
        mandate="Et trygt bomiljø for alle.",
        secretariat=world.project.responsible_unit,
    )
    add_meetings(world.project, 2, body=body)
    url = reverse("meetings:meeting_list", args=[world.project.pk])
    response = assert_queries_do_not_grow(
        english(world.users[persona]),
        url,
        lambda: add_meetings(world.project, 12, body=body),
        django_assert_num_queries,
    )
    page = response.content.decode()
    assert "Møte +12" in page  # a meeting to come, from the second batch
    assert "Møte -01" in page  # the most recent held meeting
