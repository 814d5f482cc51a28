"""News to subscribers: a title is one line (it becomes the email's subject), and an update
is recorded as sent only when it went out: a mail server that is away is tried again from
the subscriber where sending stopped, and a send that fails for good before anyone got it
leaves the update unsent."""

import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.conftest import english
from naboskap.outbox.models import Email
from naboskap.projects import services
from naboskap.projects.models import Subscription, Update

NOTIFY = "naboskap.projects.tasks.notify_subscribers"
TITLE_ERROR = "The title must be on one line: remove the line break."


class AwayForBertha(EmailBackend):
    """Locmem, but the server hangs up when it gets to bertha@, once."""

    hung_up = False

    def send_messages(self, messages):
        if not AwayForBertha.hung_up and any("bertha@" in m.to[0] for m in messages):
            AwayForBertha.hung_up = True
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusesEverything(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPDataError(554, b"Transaction failed")


class RefusesBertha(EmailBackend):
    def send_messages(self, messages):
        if any("bertha@" in m.to[0] for m in messages):
            raise smtplib.SMTPRecipientsRefused({"bertha@example.org": (550, b"No such user")})
        return super().send_messages(messages)


def backend(cls) -> str:
    return f"{__name__}.{cls.__name__}"


def subscribe(world, *names):
    for name in names:
        Subscription.objects.create(
            project=world.project, email=f"{name}@example.org", confirmed_at=timezone.now()
        )


def publish(world, title="Dialogmøte i mai") -> Update:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.update_save(
            project=world.project,
            update=Update(title=title, body="Velkommen.", published_at=timezone.now()),
            author=world.users["coordinator"],
        )


def recipients() -> list[str]:
    return [m.to[0].split("@")[0] for m in mail.outbox]


def test_the_form_refuses_a_title_with_a_line_break_and_keeps_the_text(world):
    client = english(world.users["coordinator"])
    response = client.post(
        reverse("projects:update_create", args=[world.project.pk]),
        {"title": "Dialogmøte\r\nBcc: alle@example.org", "body": "Teksten min blir her."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert TITLE_ERROR in page
    assert "Teksten min blir her." in page and "Bcc: alle@example.org" in page
    assert not Update.objects.filter(body="Teksten min blir her.").exists()


@pytest.mark.parametrize("title", ["Dialog\nmøte", "Dialog\rmøte", "Dialog\u2028møte"])
def test_the_service_refuses_a_title_with_a_line_break(world, title):
    before = Update.objects.count()
    with pytest.raises(ValidationError) as error:
        publish(world, title)
    assert error.value.message_dict == {"title": [TITLE_ERROR]}
    assert Update.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_an_old_title_with_a_line_break_is_sent_on_one_line(world, tasks):
    subscribe(world, "anna")
    update = publish(world)
    Update.objects.filter(pk=update.pk).update(title="Dialogmøte\ni mai", notified_at=None)
    tasks()
    assert [m.subject for m in mail.outbox] == ["Lindeveien: Dialogmøte i mai"]
    assert Update.objects.get(pk=update.pk).notified_at is not None


@pytest.mark.django_db(transaction=True)
def test_news_waits_in_the_outbox_while_the_server_is_away_and_reaches_each_once(
    world, tasks, smtp_server
):
    subscribe(world, "anna", "bertha", "cecilie")
    smtp_server.stop()
    update = publish(world)
    tasks()
    # Claimed and stored for all three in one go; nothing lost while the server is away.
    assert Update.objects.get(pk=update.pk).notified_at is not None
    assert Email.objects.filter(key=f"news:{update.pk}", status=Email.Status.QUEUED).count() == 3
    smtp_server.start()
    # The time for the next attempt has come.
    Email.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    tasks()
    assert sorted(m["X-Envelope-To"] for m in smtp_server.sink.received) == [
        "anna@example.org",
        "bertha@example.org",
        "cecilie@example.org",
    ]
    # Saving the update again, or a second run, sends nothing twice.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.update_save(project=world.project, update=update, author=None)
    tasks()
    assert len(smtp_server.sink.received) == 3


@pytest.mark.django_db(transaction=True)
def test_an_address_refused_for_good_does_not_stop_the_others(world, tasks, smtp_server):
    smtp_server.sink.refuse.add("bertha@example.org")
    subscribe(world, "anna", "bertha", "cecilie")
    publish(world)
    tasks()
    assert sorted(m["X-Envelope-To"] for m in smtp_server.sink.received) == [
        "anna@example.org",
        "cecilie@example.org",
    ]
    refused = Email.objects.get(to="bertha@example.org")
    assert refused.status == Email.Status.FAILED and "550" in refused.last_error


@pytest.mark.django_db(transaction=True)
def test_storing_the_news_for_its_subscribers_is_all_or_nothing(world, tasks, monkeypatch):
    from naboskap.projects import tasks as project_tasks

    subscribe(world, "anna", "bertha")
    real = project_tasks.update_email

    def breaks_at_bertha(update, subscription):
        if subscription.email.startswith("bertha"):
            raise RuntimeError("the template broke")
        return real(update, subscription)

    monkeypatch.setattr(project_tasks, "update_email", breaks_at_bertha)
    update = publish(world)
    tasks()
    assert DBTaskResult.objects.get(task_path=NOTIFY).status == "FAILED"
    assert Update.objects.get(pk=update.pk).notified_at is None  # not claimed
    assert not Email.objects.exists()  # nor anna's stored
    monkeypatch.setattr(project_tasks, "update_email", real)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.update_save(project=world.project, update=update, author=None)
    tasks()
    assert sorted(recipients()) == ["anna", "bertha"]


@pytest.mark.django_db(transaction=True)
def test_news_published_while_the_project_was_hidden_is_sent_when_it_becomes_public(world, tasks):
    """Issue 22: news published while a project was not public was never sent."""
    from naboskap.projects.models import Project

    subscribe(world, "anna", "bertha")
    services.project_edit(project=world.project, visibility=Project.Visibility.DRAFT)
    update = publish(world)
    tasks()
    assert mail.outbox == []
    assert Update.objects.get(pk=update.pk).notified_at is None

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.project_edit(project=world.project, visibility=Project.Visibility.PUBLIC)
    tasks()
    assert sorted(recipients()) == ["anna", "bertha"]
    assert Update.objects.get(pk=update.pk).notified_at is not None
    # Saving the project again, or hiding and showing it, sends nothing twice.
    services.project_edit(project=world.project, visibility=Project.Visibility.DRAFT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.project_edit(project=world.project, visibility=Project.Visibility.PUBLIC)
        services.project_edit(project=world.project, name="Lindeveien")
    tasks()
    assert sorted(recipients()) == ["anna", "bertha"]


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_may_publish_the_project_without_sending_the_held_news(world, tasks):
    from naboskap.conftest import client_for
    from naboskap.projects.forms import ProjectForm
    from naboskap.projects.models import Project

    subscribe(world, "anna")
    services.project_edit(project=world.project, visibility=Project.Visibility.DRAFT)
    update = publish(world)
    tasks()
    coordinator = client_for(world.users["coordinator"], language="en")
    url = reverse("projects:edit", args=[world.project.pk])
    form = coordinator.get(url).content.decode()
    assert "Send the news published while the project was hidden to its subscribers" in form
    assert "(1 update)" in form
    updates = coordinator.get(reverse("projects:updates", args=[world.project.pk]))
    assert "Emailed to subscribers when the project becomes public" in updates.content.decode()
    # What the form shows, sent back as it is, but for the box about the held news.
    form = ProjectForm(instance=world.project, municipality=world.municipality)
    data = {
        name: form[name].value()
        for name in form.fields
        if name != "send_held_news" and form[name].value() not in (None, "")
    }
    data["visibility"] = Project.Visibility.PUBLIC
    # Unticked: the box is not sent.
    response = coordinator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    tasks()
    assert mail.outbox == []
    dropped = Update.objects.get(pk=update.pk)
    assert dropped.notification_dropped_at is not None and dropped.notified_at is not None
    updates = coordinator.get(reverse("projects:updates", args=[world.project.pk]))
    assert "Not emailed to subscribers" in updates.content.decode()
    # Hidden and public again: still not sent, and not asked about.
    services.project_edit(project=world.project, visibility=Project.Visibility.DRAFT)
    assert "hidden to its subscribers" not in coordinator.get(url).content.decode()
