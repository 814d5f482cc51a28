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
def test_a_server_that_hangs_up_is_tried_again_from_where_it_stopped(world, tasks, settings):
    settings.EMAIL_BACKEND = backend(AwayForBertha)
    AwayForBertha.hung_up = False
    subscribe(world, "anna", "bertha", "cecilie")
    update = publish(world)
    tasks()
    assert recipients() == ["anna"]
    retry = DBTaskResult.objects.get(task_path=NOTIFY, status="READY")
    anna = Subscription.objects.get(email="anna@example.org")
    assert retry.args_kwargs == {"args": [update.pk, anna.pk], "kwargs": {"attempt": 1}}
    assert Update.objects.get(pk=update.pk).notified_at is not None  # claimed, being sent
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    tasks()
    assert recipients() == ["anna", "bertha", "cecilie"]  # nobody twice, nobody left out
    assert not DBTaskResult.objects.filter(task_path=NOTIFY, status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_send_that_fails_for_good_leaves_the_update_unsent(world, tasks, settings):
    settings.EMAIL_BACKEND = backend(RefusesEverything)
    subscribe(world, "anna", "bertha")
    update = publish(world)
    tasks()
    assert mail.outbox == []
    assert DBTaskResult.objects.get(task_path=NOTIFY).status == "FAILED"
    assert Update.objects.get(pk=update.pk).notified_at is None
    # Once the server takes mail again, saving the update sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.update_save(
            project=world.project, update=Update.objects.get(pk=update.pk), author=None
        )
    tasks()
    assert recipients() == ["anna", "bertha"]
    assert Update.objects.get(pk=update.pk).notified_at is not None


@pytest.mark.django_db(transaction=True)
def test_an_address_refused_for_good_does_not_stop_the_others(world, tasks, settings):
    settings.EMAIL_BACKEND = backend(RefusesBertha)
    subscribe(world, "anna", "bertha", "cecilie")
    update = publish(world)
    tasks()
    assert recipients() == ["anna", "cecilie"]
    assert Update.objects.get(pk=update.pk).notified_at is not None
    assert DBTaskResult.objects.get(task_path=NOTIFY).status == "SUCCESSFUL"


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
