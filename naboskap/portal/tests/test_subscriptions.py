"""Email subscription to a project's news: double opt-in, news by email, unsubscribe."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from naboskap.conftest import english
from naboskap.outbox.models import Email
from naboskap.projects import services
from naboskap.projects.models import Subscription, Update

# The background worker runs for real here; it needs committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def link_in(message, name: str) -> str:
    match = re.search(r"http://\S+/abonnement/[\w-]+/" + name + "/", message.body)
    assert match, message.body
    return match.group(0).removeprefix("http://127.0.0.1:8000")


def publish(world, title: str, when=None) -> Update:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.update_save(
            project=world.project,
            update=Update(title=title, body="Det skjer noe.", published_at=when or timezone.now()),
            author=world.users["coordinator"],
        )


def test_subscribe_confirm_receive_and_unsubscribe(world, tasks):
    client = english()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("portal:subscribe", args=[world.project.slug]), {"email": "Nabo@Example.org"}
        )
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    subscription = Subscription.objects.get(project=world.project)
    assert subscription.email == "nabo@example.org"
    assert subscription.confirmed_at is None
    assert subscription.language == "en"

    # Nothing is sent until the worker runs; then exactly one confirmation.
    assert mail.outbox == []
    tasks()
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["nabo@example.org"]
    assert world.project.name in confirmation.subject

    # An unconfirmed subscriber gets no news.
    publish(world, "Nyhet før bekreftelse")
    tasks()
    assert len(mail.outbox) == 1

    # Opening the link asks for a click (mail scanners only GET), the click confirms.
    confirm_url = link_in(confirmation, "bekreft")
    page = client.get(confirm_url)
    assert page.status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    response = client.post(confirm_url, follow=True)
    assert "You will now get news about this project" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    publish(world, "Dialogmøte på skolen")
    tasks()
    news = mail.outbox[-1]
    assert news.to == ["nabo@example.org"]
    assert "Dialogmøte på skolen" in news.subject
    unsubscribe_url = link_in(news, "avslutt")
    assert news.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe_url}>")

    # Each update is sent once, even if the task runs again.
    services.update_save(project=world.project, update=Update.objects.latest("pk"), author=None)
    tasks()
    assert sum("Dialogmøte på skolen" in m.subject for m in mail.outbox) == 1

    assert client.get(unsubscribe_url).status_code == 200
    response = client.post(unsubscribe_url)
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    # The link still answers kindly after use.
    assert client.post(unsubscribe_url).status_code == 200


def test_subscribing_twice_sends_no_duplicate_and_reveals_nothing(world, tasks):
    url = reverse("portal:subscribe", args=[world.project.slug])
    first = Client().post(url, {"email": "nabo@example.org"})
    second = Client().post(url, {"email": "nabo@example.org"})
    assert first.status_code == second.status_code == 200
    assert Subscription.objects.filter(project=world.project).count() == 1


def test_scheduled_update_is_sent_when_published(world, tasks):
    Subscription.objects.create(
        project=world.project, email="nabo@example.org", confirmed_at=timezone.now()
    )
    update = publish(world, "Planlagt nyhet", when=timezone.now() + timedelta(hours=1))
    tasks()
    assert mail.outbox == []  # not yet due
    # The worker runs it once its time has come; here the time is moved instead of waiting.
    Update.objects.filter(pk=update.pk).update(published_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    tasks()
    assert [m.subject for m in mail.outbox] == [f"{world.project.name}: Planlagt nyhet"]


def test_news_for_a_draft_project_is_not_sent(world, tasks):
    Subscription.objects.create(
        project=world.project, email="nabo@example.org", confirmed_at=timezone.now()
    )
    world.project.visibility = "draft"
    world.project.save()
    publish(world, "Intern nyhet")
    tasks()
    assert mail.outbox == []


def test_emails_are_in_the_subscribers_language(world, tasks):
    Subscription.objects.create(
        project=world.project,
        email="nabo@example.org",
        confirmed_at=timezone.now(),
        language="en",
    )
    publish(world, "Nyhet")
    tasks()
    assert "Stop the emails" in mail.outbox[0].body


def test_email_links_stay_within_the_projects_municipality(world, tasks, settings):
    """Annenby is not the default municipality: its links carry its prefix, or its host."""
    client = Client()
    url = reverse("portal:subscribe", args=["annenvei"])
    response = client.post(f"/k/annenby{url}", {"email": "nabo@example.org"})
    assert response.status_code == 200
    tasks()
    confirm_url = link_in(mail.outbox[-1], "bekreft")
    assert confirm_url.startswith("/k/annenby/abonnement/")
    assert client.post(confirm_url).status_code == 302
    assert Subscription.objects.get(email="nabo@example.org").confirmed_at is not None

    world.other_municipality.host = "annenby.example"
    world.other_municipality.save()
    Subscription.objects.all().delete()
    Subscription.objects.create(project=world.other_project, email="ny@example.org")
    from naboskap.projects.tasks import send_subscription_confirmation

    send_subscription_confirmation.enqueue(Subscription.objects.get().pk)
    tasks()
    assert "http://annenby.example/abonnement/" in mail.outbox[-1].body


def test_confirmation_waits_for_the_mail_server(world, tasks, mail_server_down):
    with TestCase.captureOnCommitCallbacks(execute=True):
        english().post(
            reverse("portal:subscribe", args=[world.project.slug]), {"email": "nabo@example.org"}
        )
    tasks()  # the mail server is away: it waits in the outbox, nothing lost
    assert mail.outbox == []
    waiting = Email.objects.get(kind="subscription")
    assert waiting.status == Email.Status.QUEUED and waiting.next_attempt_at > timezone.now()
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Email.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    tasks()
    assert [m.to for m in mail.outbox] == [["nabo@example.org"]]
    link_in(mail.outbox[0], "bekreft")  # asserts the confirmation link is in it
