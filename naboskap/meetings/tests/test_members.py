"""One-time login links for members without an account, and the members' page they open:
coming meetings with agendas, draft minutes to comment on, and members-only minutes."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import MemberLoginLink, MinutesComment
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.portal import member_views

TX = pytest.mark.django_db(transaction=True)
FUZZ = hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


@pytest.fixture
def council(world):
    return make_body(world.project)


@pytest.fixture
def nina(council):
    return council.members.get(name="Nina Nabo")  # medlem0@example.org


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/naboraad/inn/[A-Za-z0-9_-]+/)", message.body).group(1)


def send_link(member, tasks) -> str:
    """Send a link as staff would and return its path from the email."""
    tasks()  # whatever else was queued goes first
    mail.outbox.clear()
    services.member_login_link_send(member=member)
    tasks()
    (message,) = mail.outbox
    return link_path(message)


def log_in(client, path) -> None:
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302, response.content.decode()[:500]


@TX
def test_staff_send_a_link_that_opens_the_members_page_once(
    world, coordinator, council, nina, tasks
):
    meeting = make_meeting(world.project, body=council, title="Naborådsmøte i mars")
    minutes_services.agenda_item_add(
        meeting=meeting, title="Støy fra parkeringsplassen", presenter="Nina Nabo"
    )
    body_page = coordinator.get(council.get_absolute_url()).content.decode()
    assert "Send login link" in body_page
    url = reverse("meetings:member_login_link", args=[world.project.pk, council.pk, nina.pk])
    response = coordinator.post(url, follow=True)
    assert "A login link is on its way to medlem0@example.org." in response.content.decode()
    tasks()
    (message,) = mail.outbox
    assert message.to == ["medlem0@example.org"] and "Naborådet" in message.subject
    path = link_path(message)
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = MemberLoginLink.objects.get()
    assert link.token_hash == services.login_token_hash(token) and token not in link.token_hash
    assert link.expires_at - link.sent_at == timedelta(hours=24)

    member = english()
    page = member.get(path)  # a mail scanner opening the link spends nothing
    assert page.status_code == 200 and "Open the members' page" in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin" and "no-cache" in page["Cache-Control"]
    response = member.post(path)
    assert response["Location"] == reverse("portal:members_page", args=[council.pk])
    page = member.get(response["Location"]).content.decode()
    assert "Naborådsmøte i mars" in page and "Støy fra parkeringsplassen" in page
    assert "Nina Nabo" in page
    assert reverse("portal:body_feed", args=[council.feed_token]) in page
    # Used: a clear message and a way to ask for a new one.
    again = english().post(path)
    assert again.status_code == 410
    text = again.content.decode()
    assert "This login link has been used already." in text and "Send me a new link" in text
    assert english().get(path).status_code == 410


@TX
def test_an_expired_link_says_so(world, council, nina, tasks):
    path = send_link(nina, tasks)
    MemberLoginLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = english().post(path)
    assert response.status_code == 410
    assert "This login link has expired. Links work for 24 hours." in response.content.decode()


@TX
def test_a_link_for_a_member_whose_term_ended_does_not_open(world, council, nina, tasks):
    path = send_link(nina, tasks)
    services.member_end_term(member=nina, on=timezone.localdate() - timedelta(days=1))
    nina.refresh_from_db()
    nina.term_start = timezone.localdate() - timedelta(days=100)
    response = english().post(path)
    assert response.status_code == 410
    assert "no longer valid for this membership" in response.content.decode()


def test_unknown_tokens_and_another_municipality(world, council, client_en):
    for token in ["x", "a" * 64, "../../etc/passwd", "%00"]:
        url = f"/naboraad/inn/{quote(token, safe='')}/"
        assert client_en.get(url).status_code == 404
        assert client_en.post(url).status_code == 404


@TX
def test_the_members_page_needs_a_fresh_marker_for_that_body(
    world, council, nina, tasks, monkeypatch
):
    other = make_body(world.project, name="Referansegruppen", members=[])
    page_url = reverse("portal:members_page", args=[council.pk])
    response = english().get(page_url)
    assert response.status_code == 403
    assert "The members' page needs a login link" in response.content.decode()
    member = english()
    log_in(member, send_link(nina, tasks))
    assert member.get(page_url).status_code == 200
    assert member.get(reverse("portal:members_page", args=[other.pk])).status_code == 403
    # A staff login is not the members' marker, and the marker is not a staff login.
    assert english(world.users["coordinator"]).get(page_url).status_code == 403
    assert member.get(reverse("meetings:body_list", args=[world.project.pk])).status_code == 302
    monkeypatch.setattr(member_views, "MEMBER_SESSION_HOURS", -1)  # the marker has expired
    assert member.get(page_url).status_code == 403
    monkeypatch.setattr(member_views, "MEMBER_SESSION_HOURS", 8)
    assert member.get(page_url).status_code == 200
    services.member_end_term(member=nina, on=timezone.localdate() - timedelta(days=1))
    assert member.get(page_url).status_code == 403
    # Logging out ends it.


@TX
def test_logging_out_ends_the_members_session(world, council, nina, tasks):
    member = english()
    log_in(member, send_link(nina, tasks))
    page_url = reverse("portal:members_page", args=[council.pk])
    assert member.post(reverse("portal:members_logout")).status_code == 302
    assert member.get(page_url).status_code == 403


@TX
def test_a_member_asks_for_a_new_link_without_learning_who_is_a_member(world, council, tasks):
    url = reverse("portal:member_link_request")
    client = english()
    assert client.get(url).status_code == 200
    member_answer = client.post(url, {"email": "MEDLEM0@example.org"})
    tasks()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["medlem0@example.org"]
    stranger_answer = client.post(url, {"email": "ukjent@example.org"})
    tasks()
    assert len(mail.outbox) == 1
    assert member_answer.status_code == stranger_answer.status_code == 200

    def strip(response):
        text = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())
        return text.replace("MEDLEM0@example.org", "X").replace("ukjent@example.org", "X")

    assert strip(member_answer) == strip(stranger_answer)
    # At most three links an hour per member, whoever asks; the answer stays the same.
    for _ in range(3):
        assert client.post(url, {"email": "medlem0@example.org"}).status_code == 200
    tasks()
    assert len(mail.outbox) == 3
    bad = client.post(url, {"email": "ikke en adresse"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.content.decode()


def test_staff_are_told_when_a_member_cannot_get_a_link(world, coordinator, council):
    rune = council.members.get(name="Rune Beboer")  # no email: letters
    url = reverse("meetings:member_login_link", args=[world.project.pk, council.pk, rune.pk])
    response = coordinator.post(url, follow=True)
    assert "Rune Beboer has no email address. Add one first." in response.content.decode()
    nina = council.members.get(name="Nina Nabo")
    url = reverse("meetings:member_login_link", args=[world.project.pk, council.pk, nina.pk])
    for _ in range(3):
        coordinator.post(url)
    response = coordinator.post(url, follow=True)
    assert "got 3 links in the last hour" in response.content.decode()
    assert MemberLoginLink.objects.count() == 3


def test_the_link_request_and_login_are_rate_limited(world, council, settings):
    settings.PUBLIC_WRITE_RATE = "2/h"
    client = english()
    url = reverse("portal:member_link_request")
    statuses = [client.post(url, {"email": "nabo@example.org"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    statuses = [client.post("/naboraad/inn/abcdef/").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def draft_minutes(meeting, by):
    minutes_services.agenda_item_add(meeting=meeting, title="Parkering")
    minutes = minutes_services.minutes_start(meeting=meeting, created_by=by)
    minutes_services.minutes_edit(minutes=minutes, summary="Godt oppmøte og god stemning.")
    minutes_services.minutes_send_for_comments(minutes=minutes)
    minutes.refresh_from_db()
    return minutes


@TX
def test_members_comment_on_draft_minutes_and_read_approved_ones(world, council, nina, tasks):
    coordinator_user = world.users["coordinator"]
    held = make_meeting(world.project, body=council, title="Møtet i januar", days=-30)
    minutes = draft_minutes(held, coordinator_user)
    older = make_meeting(world.project, body=council, title="Møtet i fjor", days=-300)
    minutes_services.agenda_item_add(meeting=older, title="Sommerfesten")
    old_minutes = minutes_services.minutes_start(meeting=older, created_by=coordinator_user)
    minutes_services.minutes_approve(minutes=old_minutes, approved_by=coordinator_user)
    member = english()
    log_in(member, send_link(nina, tasks))
    page_url = reverse("portal:members_page", args=[council.pk])
    page = member.get(page_url).content.decode()
    assert "Draft: Møtet i januar" in page and "Godt oppmøte og god stemning." in page
    assert "Møtet i fjor" in page and "Sommerfesten" in page and "members only" in page
    url = reverse("portal:members_comment", args=[council.pk, minutes.pk])
    empty = member.post(url, {"text": "  "})
    assert empty.status_code == 400
    assert "Write your comment before you send it." in empty.content.decode()
    response = member.post(url, {"text": "Jeg meldte forfall, men står som til stede."})
    assert response.status_code == 302
    comment = MinutesComment.objects.get()
    assert comment.member == nina and comment.version == minutes.version
    assert comment.recorded_by is None
    page = member.get(page_url).content.decode()
    assert "Jeg meldte forfall" in page
    # Approved minutes take no more comments.
    minutes_services.minutes_approve(minutes=minutes, approved_by=coordinator_user)
    response = member.post(url, {"text": "For sent."}, follow=True)
    assert "These minutes no longer take comments." in response.content.decode()
    assert MinutesComment.objects.count() == 1
    # Minutes of another body are not reachable through this one.
    other = make_body(world.project, name="Referansegruppen")
    other_minutes = draft_minutes(make_meeting(world.project, body=other, days=-3), None)
    url = reverse("portal:members_comment", args=[council.pk, other_minutes.pk])
    assert member.post(url, {"text": "Hei"}).status_code == 404


@TX
@pytest.mark.parametrize("items", [5, 200])
def test_the_members_page_takes_the_same_queries_for_5_and_200_agenda_items(
    world, council, nina, tasks, items, django_assert_max_num_queries
):
    from naboskap.meetings.models import AgendaItem

    for n in range(3):
        meeting = make_meeting(world.project, body=council, days=5 + n, title=f"Møte {n}")
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=i, title=f"Sak {i}") for i in range(items)
        )
    draft_minutes(make_meeting(world.project, body=council, days=-3), None)
    member = english()
    log_in(member, send_link(nina, tasks))
    with django_assert_max_num_queries(25):
        response = member.get(reverse("portal:members_page", args=[council.pk]))
    assert response.status_code == 200 and f"Sak {items - 1}" in response.content.decode()


@given(token=st.text(max_size=80), email=st.text(max_size=300), text=st.text(max_size=6000))
@FUZZ
def test_fuzzed_members_endpoints_never_fail(world, council, settings, token, email, text):
    settings.RATELIMIT_ENABLE = False
    client = english()
    url = f"/naboraad/inn/{quote(token, safe='')}/"
    assert client.get(url).status_code in {404, 410}
    assert client.post(url).status_code in {404, 410}
    answer = client.post(reverse("portal:member_link_request"), {"email": email})
    assert answer.status_code in {200, 400}
    code = client.post(reverse("portal:member_code"), {"code": token})
    assert code.status_code == 400
    prefilled = client.get(reverse("portal:member_code"), {"kode": token})
    assert prefilled.status_code == 200
    comment = client.post(f"/naboraad/{council.pk}/referat/1/kommentar/", {"text": text})
    assert comment.status_code == 403
    assert client.get(f"/naboraad/{council.pk}/").status_code == 403


# Codes on letters, for members without email (issue 17) ------------------------------------


@pytest.fixture
def fresh_limits():
    """A transactional test's flush leaves the database cache's table (and the rate-limit
    counters of earlier tests from the same address) alone."""
    from django.core.cache import cache

    cache.clear()


def print_letter(coordinator, world, council, member):
    url = reverse("meetings:member_login_letter", args=[world.project.pk, council.pk, member.pk])
    return coordinator.post(url)


@TX
def test_a_member_without_email_logs_in_with_the_code_from_a_letter(
    world, coordinator, council, nina, fresh_limits
):
    nina.email = ""
    nina.postal_address = "Bjørkeveien 3\n1234 Naboby"
    nina.save()
    page = coordinator.get(council.get_absolute_url()).content.decode()
    assert "Print login letter" in page
    response = print_letter(coordinator, world, council, nina)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    link = MemberLoginLink.objects.get()
    assert link.via == "letter" and link.email == "" and link.used_at is None
    assert link.expires_at - link.sent_at == services.LOGIN_LETTER_LIFETIME
    # The code exists only in the letter: the test makes its own to try the form.
    code = "ABCD2345"
    MemberLoginLink.objects.filter(pk=link.pk).update(token_hash=services.login_token_hash(code))

    member = english()
    form = member.get(reverse("portal:member_code") + "?kode=abcd-2345")
    text = form.content.decode()
    assert form.status_code == 200 and 'value="abcd-2345"' in text
    assert form["Referrer-Policy"] == "strict-origin" and "no-cache" in form["Cache-Control"]
    assert MemberLoginLink.objects.get().used_at is None  # opening the QR code spends nothing
    response = member.post(reverse("portal:member_code"), {"code": " abcd-2345 "})
    assert response["Location"] == reverse("portal:members_page", args=[council.pk])
    assert "Nina Nabo" in member.get(response["Location"]).content.decode()
    # Once only: the same code again is answered on the form, with what was typed.
    again = english().post(reverse("portal:member_code"), {"code": "ABCD-2345"})
    assert again.status_code == 400
    text = again.content.decode()
    assert "has been used already" in text and 'value="ABCD-2345"' in text


@TX
def test_a_letter_code_that_is_wrong_expired_or_for_an_ended_seat_is_refused(
    world, coordinator, council, nina, fresh_limits
):
    print_letter(coordinator, world, council, nina)
    link = MemberLoginLink.objects.get()
    MemberLoginLink.objects.filter(pk=link.pk).update(
        token_hash=services.login_token_hash("WXYZ7890"),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    url = reverse("portal:member_code")
    wrong = english().post(url, {"code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and "This login link is not valid." in wrong.content.decode()
    empty = english().post(url, {"code": ""})
    assert empty.status_code == 400
    assert "Type the code from your letter." in empty.content.decode()
    expired = english().post(url, {"code": "WXYZ-7890"})
    assert expired.status_code == 400
    assert "Codes on letters work for 14 days." in expired.content.decode()
    # A seat that has ended gets no letter.
    nina.term_end = timezone.localdate() - timedelta(days=1)
    nina.save()
    response = print_letter(coordinator, world, council, nina)
    assert response.status_code == 302 and MemberLoginLink.objects.count() == 1


def test_letter_codes_are_unambiguous_and_typed_in_any_form():
    assert not set("01OIL") & set(services.LOGIN_CODE_ALPHABET)
    assert services.login_code_normal(" ab cd-23 45 ") == "ABCD2345"
    assert services.login_code_format("ABCD2345") == "ABCD-2345"


@TX
def test_trying_codes_is_limited_per_address(world, council, fresh_limits):
    url = reverse("portal:member_code")
    client = english()
    statuses = [client.post(url, {"code": f"AAAA-AAA{n % 10}"}).status_code for n in range(12)]
    assert statuses[0] == 400 and statuses[-1] == 429
    refused = client.post(url, {"code": "BBBB-CCCC"})
    assert refused.status_code == 429 and 'value="BBBB-CCCC"' in refused.content.decode()


@TX
def test_only_managers_print_login_letters(world, council, nina):
    for role in ("case_handler", "politician"):
        response = print_letter(english(world.users[role]), world, council, nina)
        assert response.status_code in (403, 404)
    assert not MemberLoginLink.objects.exists()
