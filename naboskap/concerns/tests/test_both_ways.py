"""Both ways (issue 16): a reporter's reply or request to reopen reaches the case handler by
email (the reference and a link, never the text), marks the case "new from the reporter" in
the inbox until a handler opens it, and moves a waiting case back to work."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns import services
from naboskap.concerns.models import Concern, Message, StatusChange
from naboskap.concerns.workflow import BY_REPORTER, TRANSITIONS, Status
from naboskap.conftest import english, make_staff
from naboskap.tenancy.models import Profile, Role
from naboskap.testing.factories import make_concern

SECRET = "Naboen i nr. 5 var full igjen"


def move(concern, *statuses, by=None):
    for status in statuses:
        answer = "Svar" if status == Status.ANSWERED else ""
        services.concern_transition(concern=concern, to_status=status, by=by, answer=answer)
    concern.refresh_from_db()
    return concern


def reply(client, concern, body=SECRET):
    url = reverse("portal:concern_reply", args=[concern.reference])
    return client.post(url, {"t": concern.token, "body": body})


@pytest.fixture
def handler(world):
    """A case handler of the unit the project's concerns are routed to, with an address."""
    return make_staff(
        world.municipality,
        Role.CASE_HANDLER,
        unit=world.project.responsible_unit,
        username="eiendom",
    )


def test_the_reporter_transitions_are_in_the_workflow_table():
    for moves in BY_REPORTER.values():
        for from_status, to_status in moves.items():
            assert to_status in TRANSITIONS[from_status], (from_status, to_status)


@pytest.mark.django_db(transaction=True)
def test_reply_reaches_the_handler_and_the_inbox_until_they_open_it(world, handler, tasks):
    """The journey: the neighbour replies on the follow-up page → the handler gets an email
    with the reference and without the text → the inbox shows the case as new from the
    reporter, with the count → the handler opens it → the mark is gone."""
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    services.concern_assign(concern=concern, unit=concern.assigned_unit, handler=handler)
    concern = move(concern, Status.ACKNOWLEDGED, Status.WAITING, by=handler)
    tasks()
    mail.outbox.clear()

    response = reply(english(), concern)
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.reporter_wrote_at is not None
    # Waiting for the reporter → in progress, as the table says, with a history row.
    assert concern.status == Status.IN_PROGRESS
    change = StatusChange.objects.filter(concern=concern).last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.WAITING,
        Status.IN_PROGRESS,
        None,
    )

    tasks()
    [email] = mail.outbox
    assert email.to == [handler.email]
    assert concern.reference in email.subject and concern.reference in email.body
    assert concern.get_absolute_url() in email.body
    assert SECRET not in email.body and SECRET not in email.subject

    client = english(handler)
    inbox = client.get(reverse("concerns:inbox"))
    html = inbox.content.decode()
    assert inbox.status_code == 200
    assert "New from the reporter: <strong>1</strong>" in html
    new_view = client.get(reverse("concerns:inbox"), {"view": "new"}).content.decode()
    assert concern.reference in new_view and "data-new-from-reporter" in new_view

    page = client.get(concern.get_absolute_url())
    assert page.status_code == 200
    assert "The reporter has written since a case handler last opened the case" in (
        page.content.decode()
    )
    assert SECRET in page.content.decode()
    concern.refresh_from_db()
    assert concern.reporter_wrote_at is None
    html = client.get(reverse("concerns:inbox")).content.decode()
    assert "New from the reporter: <strong>0</strong>" in html
    assert (
        concern.reference
        not in client.get(reverse("concerns:inbox"), {"view": "new"}).content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_without_an_assigned_handler_the_unit_is_told_in_each_ones_language(world, tasks):
    unit = world.project.responsible_unit
    unit.email = "eiendom@fjordby.example"
    unit.lead = make_staff(world.municipality, Role.COORDINATOR, username="leder")
    unit.save()
    member = make_staff(world.municipality, Role.CASE_HANDLER, unit=unit, username="medlem")
    Profile.objects.update_or_create(user=member, defaults={"language": "nn"})
    other = world.users["case_handler"]  # of another unit: not told
    concern = make_concern(world.project)
    tasks()
    mail.outbox.clear()

    reply(english(), concern)
    tasks()
    recipients = {address for email in mail.outbox for address in email.to}
    assert recipients == {unit.email, unit.lead.email, member.email}
    assert other.email not in recipients
    nynorsk = next(email for email in mail.outbox if member.email in email.to)
    assert member.email not in next(e for e in mail.outbox if unit.email in e.to).to
    assert concern.reference in nynorsk.subject
    assert nynorsk.subject.startswith("Nytt frå melderen")  # the member's own language
    assert all(SECRET not in email.body for email in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_request_to_reopen_reaches_the_handler_and_reopens(world, handler, tasks):
    concern = make_concern(world.project)
    services.concern_assign(concern=concern, unit=concern.assigned_unit, handler=handler)
    concern = move(concern, Status.ACKNOWLEDGED, Status.ANSWERED, by=handler)
    tasks()
    mail.outbox.clear()
    url = reverse("portal:concern_reopen", args=[concern.reference])
    response = english().post(url, {"t": concern.token, "reason": SECRET})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.IN_PROGRESS
    assert concern.reporter_wrote_at is not None
    assert Message.objects.filter(concern=concern, kind=Message.Kind.FROM_REPORTER).exists()
    tasks()
    [email] = mail.outbox
    assert email.to == [handler.email]
    assert SECRET not in email.body


@pytest.mark.django_db(transaction=True)
def test_no_email_once_a_handler_has_opened_the_case(world, handler, tasks):
    """The task checks the mark is still there: a handler who has seen the reply already
    is not told again (nor a retry after that)."""
    concern = make_concern(world.project)
    services.concern_assign(concern=concern, unit=concern.assigned_unit, handler=handler)
    tasks()
    mail.outbox.clear()
    reply(english(), concern)
    assert english(handler).get(concern.get_absolute_url()).status_code == 200
    tasks()
    assert mail.outbox == []


def test_a_handler_who_lost_access_is_not_told_the_unit_is(world, handler, tasks):
    concern = make_concern(world.project)
    services.concern_assign(concern=concern, unit=concern.assigned_unit, handler=handler)
    unit = concern.assigned_unit
    unit.email = "eiendom@fjordby.example"
    unit.save()
    # The handler moves to another unit: they can no longer open the concern.
    handler.memberships.update(unit=world.users["case_handler"].memberships.get().unit)
    from naboskap.concerns.tasks import _handlers_to_tell

    concern = Concern.objects.select_related("assigned_unit", "assigned_to", "project").get(
        pk=concern.pk
    )
    users, addresses = _handlers_to_tell(concern)
    assert handler not in users
    assert addresses == ["eiendom@fjordby.example"]


def test_a_case_waiting_for_the_reporter_on_the_page_marks_nothing_for_staff_reads(world):
    """Opening a case without a mark writes nothing (no statement for the common case)."""
    concern = make_concern(world.project)
    before = Concern.objects.get(pk=concern.pk).reporter_wrote_at
    assert before is None
    client = english(world.users["coordinator"])
    assert client.get(concern.get_absolute_url()).status_code == 200
    Concern.objects.filter(pk=concern.pk).update(reporter_wrote_at=timezone.now())
    assert client.get(concern.get_absolute_url()).status_code == 200
    assert Concern.objects.get(pk=concern.pk).reporter_wrote_at is None


def test_a_closed_case_refuses_a_reply_in_the_service_too(world):
    concern = move(make_concern(world.project), Status.ACKNOWLEDGED, Status.ANSWERED)
    with pytest.raises(services.WorkflowError):
        services.reporter_reply(concern=concern, body="Hei")
    concern.refresh_from_db()
    assert concern.reporter_wrote_at is None


@pytest.mark.django_db(transaction=True)
def test_without_a_unit_the_projects_dialogue_owner_is_told(world, tasks):
    concern = make_concern(world.project)
    services.concern_assign(concern=concern, unit=None)
    tasks()
    mail.outbox.clear()
    assert reply(english(), concern).status_code == 302
    tasks()
    [email] = mail.outbox
    assert email.to == [world.users["coordinator"].email]  # the project's dialogue owner
    assert SECRET not in email.body
