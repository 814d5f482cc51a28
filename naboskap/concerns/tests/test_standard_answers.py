"""Standard answers (issue 16): the municipality administrator keeps them; a case handler
inserts one into a message to the reporter (without JavaScript), edits it, previews it as the
reporter will see it, and sends it. Writing to the reporter and an internal note are two
different forms. The editor and the reply endpoint are fuzzed."""

import html

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.concerns import placeholders
from naboskap.concerns.models import Message, StandardAnswer
from naboskap.conftest import english, make_staff
from naboskap.tenancy.models import Role
from naboskap.testing.factories import make_concern

FUZZ = hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LIST = reverse("concerns:answer_list")
CREATE = reverse("concerns:answer_create")


@pytest.fixture
def answer(world):
    return StandardAnswer.objects.create(
        municipality=world.municipality,
        title="Vi ser på saken",
        body="Takk for meldingen {reference} om {category} ved {project}. "
        "Du får svar innen {answer_due}.",
    )


@pytest.fixture
def handler(world):
    return make_staff(
        world.municipality,
        Role.CASE_HANDLER,
        unit=world.project.responsible_unit,
        username="eiendom",
    )


def test_the_admin_lists_creates_edits_and_retires(world):
    client = english(world.users["admin"])
    page = client.get(LIST)
    assert page.status_code == 200
    assert "{reference}" in page.content.decode()  # the placeholders are documented
    response = client.post(
        CREATE, {"title": "Mottatt", "body": "Vi har mottatt {reference}.", "position": "1"}
    )
    assert response.status_code == 302
    created = StandardAnswer.objects.get(municipality=world.municipality, title="Mottatt")
    assert created.active
    edit = reverse("concerns:answer_edit", args=[created.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"title": "Mottatt", "body": "Endret {reference}.", "position": "2", "active": "on"}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.body == "Endret {reference}." and created.position == 2
    retire = reverse("concerns:answer_retire", args=[created.pk])
    assert client.post(retire, {"active": "0"}).status_code == 302
    created.refresh_from_db()
    assert not created.active
    assert "Use again" in client.get(LIST).content.decode()
    assert client.post(retire, {"active": "1"}).status_code == 302
    created.refresh_from_db()
    assert created.active


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hei {navn}", "Unknown placeholder: {navn}"),
        ("Hei {reference!r}", "Unknown placeholder"),
        ("Hei {reference.__class__}", "Unknown placeholder"),
        ("Hei {reference", "A brace without its pair"),
        ("Hei } der", "A brace without its pair"),
        ("{{reference}}", "A brace without its pair"),
    ],
)
def test_bad_placeholders_are_explained_and_the_text_kept(world, body, message):
    client = english(world.users["admin"])
    response = client.post(CREATE, {"title": "Feil", "body": body, "position": "0"})
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert html.escape(body) in content
    assert not StandardAnswer.objects.filter(title="Feil").exists()


def test_titles_are_unique_per_municipality(world, answer):
    client = english(world.users["admin"])
    response = client.post(CREATE, {"title": answer.title.upper(), "body": "x", "position": "0"})
    assert response.status_code == 400
    assert "Another standard answer has this title." in response.content.decode()


def test_only_the_municipality_admin_edits_and_answers_stay_in_their_municipality(world, answer):
    for persona in ("coordinator", "case_handler", "facility_staff", "police", "politician"):
        assert english(world.users[persona]).get(LIST).status_code == 403
    outsider = english(world.users["outsider"])
    assert outsider.get(reverse("concerns:answer_edit", args=[answer.pk])).status_code == 403
    other_admin = make_staff(world.other_municipality, Role.ADMIN, username="annen_admin")
    client = english(other_admin)
    assert client.get(reverse("concerns:answer_edit", args=[answer.pk])).status_code == 404
    assert answer.title not in client.get(LIST).content.decode()


def test_inserting_a_standard_answer_fills_it_in_without_javascript(world, answer, handler):
    concern = make_concern(world.project, reporter_email="nabo@example.org", language="en")
    client = english(handler)
    url = reverse("concerns:message", args=[concern.pk])
    page = client.get(concern.get_absolute_url()).content.decode()
    assert 'name="standard_answer"' in page and answer.title in page
    response = client.post(url, {"action": "insert", "standard_answer": answer.pk, "body": "Hei!"})
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    expected = placeholders.fill(answer.body, concern)
    assert concern.reference in expected and "{" not in expected
    assert f"Hei!\n\n{expected}</textarea>" in content
    assert not Message.objects.filter(concern=concern).exists()  # nothing sent yet
    # Inserting without choosing one says so, and keeps the text.
    response = client.post(url, {"action": "insert", "standard_answer": "", "body": "Hei!"})
    assert response.status_code == 400
    assert "Choose the standard answer to insert." in response.content.decode()
    assert "Hei!</textarea>" in response.content.decode()
    # A retired answer is not offered, nor accepted.
    answer.active = False
    answer.save()
    response = client.post(url, {"action": "insert", "standard_answer": answer.pk, "body": ""})
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_message_is_previewed_as_the_reporter_sees_it_then_sent(world, handler, tasks):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    tasks()
    mail.outbox.clear()
    client = english(handler)
    url = reverse("concerns:message", args=[concern.pk])
    text = "Vi har snakket med <botiltaket>.\nHa en fin dag."
    response = client.post(url, {"action": "preview", "body": text})
    assert response.status_code == 200
    content = response.content.decode()
    assert "This is what the reporter will see" in content
    assert html.escape(text.split("\n")[0]) in content
    assert 'lang="nb"' in content  # the reporter's language
    assert not Message.objects.filter(concern=concern).exists()
    # Back to edit: the text is in the form again.
    response = client.post(url, {"action": "edit", "body": text})
    assert response.status_code == 200
    assert html.escape(text) in response.content.decode()
    response = client.post(url, {"action": "send", "body": text})
    assert response.status_code == 302
    message = Message.objects.get(concern=concern)
    assert (message.kind, message.body, message.author) == (
        Message.Kind.TO_REPORTER,
        text,
        handler,
    )
    tasks()
    [email] = mail.outbox
    assert email.to == ["nabo@example.org"] and "botiltaket" not in email.body


def test_writing_to_the_reporter_and_a_note_are_two_forms(world, handler):
    concern = make_concern(world.project)
    client = english(handler)
    page = client.get(concern.get_absolute_url()).content.decode()
    assert 'id="reply-heading">Write to the reporter<' in page
    assert 'id="note-heading">Internal note<' in page
    assert 'name="internal"' not in page  # no checkbox decides who reads it
    response = client.post(
        reverse("concerns:note", args=[concern.pk]), {"note-body": "Ring vaktmester"}
    )
    assert response.status_code == 302
    note = Message.objects.get(concern=concern)
    assert note.kind == Message.Kind.INTERNAL
    follow_up = english().get(concern.get_follow_up_url()).content.decode()
    assert "Ring vaktmester" not in follow_up
    # An "internal" flag posted to the message form does not make a note: it is ignored,
    # and the message still goes through its preview first.
    response = client.post(
        reverse("concerns:message", args=[concern.pk]), {"body": "Hei", "internal": "on"}
    )
    assert response.status_code == 200
    assert "This is what the reporter will see" in response.content.decode()


@FUZZ
@given(
    title=st.text(max_size=140),
    body=st.text(max_size=300),
    position=st.one_of(st.integers(-5, 70000).map(str), st.text(max_size=8)),
)
def test_fuzz_the_standard_answer_editor(world, title, body, position):
    client = english(world.users["admin"])
    response = client.post(CREATE, {"title": title, "body": body, "position": position})
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        saved = StandardAnswer.objects.get(municipality=world.municipality, title=title.strip())
        placeholders.check(saved.body)
        saved.delete()
    else:
        assert "Please correct the following" in response.content.decode()


@FUZZ
@given(
    action=st.sampled_from(["insert", "preview", "edit", "send", "", "x" * 30]),
    body=st.text(max_size=200),
    standard_answer=st.one_of(st.just(""), st.text(max_size=12), st.integers().map(str)),
)
def test_fuzz_the_reply_endpoint(world, answer, action, body, standard_answer):
    concern = world.reported if hasattr(world, "reported") else make_concern(world.project)
    world.reported = concern
    client = english(world.users["coordinator"])
    url = reverse("concerns:message", args=[concern.pk])
    data = {"action": action, "body": body, "standard_answer": standard_answer}
    response = client.post(url, data)
    assert response.status_code in {200, 302, 400}
    if response.status_code == 400:
        assert "Please correct the following" in response.content.decode()


@FUZZ
@given(body=st.text(max_size=300))
def test_fuzz_the_reporters_reply(world, settings, body):
    settings.RATELIMIT_ENABLE = False
    concern = world.reported if hasattr(world, "reported") else make_concern(world.project)
    world.reported = concern
    url = reverse("portal:concern_reply", args=[concern.reference])
    response = english().post(url, {"t": concern.token, "body": body})
    assert response.status_code in {302, 400}
