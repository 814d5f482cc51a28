"""Duplicates: similar open concerns are listed, and merging shares the answer."""

import pytest
from django.core import mail
from django.urls import reverse

from naboskap.concerns import services
from naboskap.concerns.models import Message
from naboskap.concerns.workflow import CancelReason, Status
from naboskap.conftest import english
from naboskap.testing.factories import ProjectFactory, make_concern


def test_similar_concerns_are_listed_and_merged(world):
    first = make_concern(world.project, reporter_email="a@example.org")
    second = make_concern(world.project, reporter_email="b@example.org")
    other_category = make_concern(world.project, category_code="litter")
    client = english(world.users["coordinator"])
    html = client.get(second.get_absolute_url()).content.decode()
    assert "Similar open concerns" in html
    assert f"Merge into {first.reference}" in html
    assert f"Merge into {other_category.reference}" not in html

    response = client.post(reverse("concerns:merge", args=[second.pk]), {"into": first.pk})
    assert response.status_code == 302
    assert response["Location"] == first.get_absolute_url()
    second.refresh_from_db()
    assert second.status == Status.CANCELLED
    assert second.cancel_reason == CancelReason.DUPLICATE
    assert second.merged_into == first
    assert "Similar open concerns" not in client.get(first.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_reporters_of_merged_concerns_get_the_answer(world, tasks):
    first = make_concern(world.project, reporter_email="a@example.org")
    second = make_concern(world.project, reporter_email="b@example.org")
    third = make_concern(world.project, reporter_email="c@example.org")
    services.concern_merge(duplicate=third, into=second, by=None)
    services.concern_merge(duplicate=second, into=first, by=None)  # third follows along
    tasks()
    sent_before = len(mail.outbox)
    services.concern_transition(concern=first, to_status=Status.ACKNOWLEDGED, by=None)
    services.concern_transition(
        concern=first, to_status=Status.ANSWERED, by=None, answer="Vi har ryddet opp."
    )
    for concern in (first, second, third):
        assert Message.objects.filter(
            concern=concern, kind=Message.Kind.TO_REPORTER, body="Vi har ryddet opp."
        ).exists()
    tasks()
    recipients = sorted(m.to[0] for m in mail.outbox[sent_before:])
    assert recipients == ["a@example.org", "b@example.org", "c@example.org"]


def test_merge_refuses_other_projects_and_itself(world):
    first = make_concern(world.project)
    elsewhere = make_concern(ProjectFactory(municipality=world.municipality))
    with pytest.raises(services.WorkflowError):
        services.concern_merge(duplicate=first, into=first, by=None)
    with pytest.raises(services.WorkflowError):
        services.concern_merge(duplicate=elsewhere, into=first, by=None)
    client = english(world.users["coordinator"])
    response = client.post(reverse("concerns:merge", args=[first.pk]), {"into": "abc"}, follow=True)
    assert "Choose the concern to merge into." in response.content.decode()
    foreign = make_concern(world.other_project)
    response = client.post(reverse("concerns:merge", args=[first.pk]), {"into": foreign.pk})
    assert response.status_code == 404
