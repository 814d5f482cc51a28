"""Agendas, the residents' pre-meeting, minutes and decisions through the staff pages: the
workflow, versions after approval, publishing, PDFs, bad input and the pages' query counts."""

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pypdf import PdfReader

from naboskap.conftest import english
from naboskap.meetings.minutes import services
from naboskap.meetings.models import AgendaItem, Decision, Meeting, Minutes, MinutesVersion
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.meetings.tests.helpers import pdf_text
from naboskap.plans.models import Measure
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.documents import fetch_document
from naboskap.testing.factories import make_concern, make_measure


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


@pytest.fixture
def council(world):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body, days=-1, title="Naborådsmøte mars")
    return meeting


def add_items(meeting, count: int, **fields) -> list[AgendaItem]:
    return [
        services.agenda_item_add(meeting=meeting, title=f"Sak {n}", **fields) for n in range(count)
    ]


def bulk_items(meeting, count: int, world=None) -> None:
    """`count` items at once, each with links, notes and a decision (for query counts)."""
    concern = make_concern(meeting.project)
    measure = make_measure(meeting.project)
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=n,
            title=f"Sak {n}",
            presenter="Nina Nabo",
            duration_minutes=10,
            concern=concern,
            measure=measure,
            notes=f"Notat {n}",
            for_residents=n % 2 == 0,
            residents_note="Beboerne ønsker ro etter kl. 22." if n % 3 == 0 else "",
        )
        for n in range(count)
    )
    Decision.objects.bulk_create(Decision(agenda_item=item, text="Vedtatt.") for item in items)


def url(name: str, meeting: Meeting, **kwargs) -> str:
    return reverse(
        f"meetings:{name}", kwargs={"pk": meeting.project_id, "meeting_pk": meeting.pk, **kwargs}
    )


def minutes_of(meeting: Meeting) -> Minutes:
    return Minutes.objects.get(meeting=meeting)


# Agenda ------------------------------------------------------------------------------------


def test_an_agenda_is_built_edited_reordered_and_shown(coordinator, world, council):
    client = coordinator
    concern = make_concern(world.project)
    analysis = make_analysis(world.project)
    event = risk_services.event_create(analysis=analysis, title="Brann i boenheten")
    measure = make_measure(world.project, title="Fast kontaktperson")
    response = client.post(
        url("agenda_item_create", council),
        {
            "title": "Støy om natta",
            "description": "Naboene melder om støy etter midnatt.",
            "presenter": "Nina Nabo",
            "duration_minutes": "20",
            "concern": concern.pk,
            "unwanted_event": event.pk,
            "measure": measure.pk,
            "for_residents": "on",
        },
    )
    assert response.status_code == 302
    client.post(url("agenda_item_create", council), {"title": "Sommerfest"})
    client.post(url("agenda_item_create", council), {"title": "Eventuelt"})
    titles = lambda: list(council.agenda_items.values_list("title", flat=True))  # noqa: E731
    assert titles() == ["Støy om natta", "Sommerfest", "Eventuelt"]

    last = council.agenda_items.get(title="Eventuelt")
    assert (
        client.post(
            url("agenda_item_move", council, item_pk=last.pk), {"retning": "opp"}
        ).status_code
        == 302
    )
    assert titles() == ["Støy om natta", "Eventuelt", "Sommerfest"]
    first = council.agenda_items.get(title="Støy om natta")
    client.post(url("agenda_item_move", council, item_pk=first.pk), {"retning": "ned"})
    assert titles() == ["Eventuelt", "Støy om natta", "Sommerfest"]
    client.post(url("agenda_item_move", council, item_pk=last.pk), {"retning": "opp"})  # at the top
    assert titles() == ["Eventuelt", "Støy om natta", "Sommerfest"]

    response = client.post(
        url("agenda_item_edit", council, item_pk=last.pk),
        {"title": "Eventuelt og neste møte", "duration_minutes": "5"},
    )
    assert response.status_code == 302
    client.post(
        url("agenda_item_delete", council, item_pk=council.agenda_items.get(title="Sommerfest").pk)
    )
    assert titles() == ["Eventuelt og neste møte", "Støy om natta"]

    page = client.get(council.get_absolute_url()).content.decode()
    assert "Støy om natta" in page and "Presented by Nina Nabo" in page
    assert (
        concern.reference in page and "Brann i boenheten" in page and "Fast kontaktperson" in page
    )
    assert "About 25 minutes in all." in page
    assert "Make a residents" in page


def test_links_to_another_projects_objects_are_refused(coordinator, world, council):
    client = coordinator
    foreign_concern = make_concern(world.other_project)
    foreign_measure = make_measure(world.other_project)
    foreign_event = risk_services.event_create(
        analysis=make_analysis(world.other_project), title="Annet"
    )
    for field, value in [
        ("concern", foreign_concern.pk),
        ("measure", foreign_measure.pk),
        ("unwanted_event", foreign_event.pk),
    ]:
        response = client.post(
            url("agenda_item_create", council), {"title": "Skjult sak", field: value}
        )
        assert response.status_code == 400
        assert "Skjult sak" in response.content.decode()  # nothing typed is lost
    assert not council.agenda_items.exists()
    # The service checks too, whoever calls it.
    with pytest.raises(services.MinutesError) as error:
        services.agenda_item_add(meeting=council, title="Sak", concern=foreign_concern)
    assert "concern" in error.value.error_dict
    with pytest.raises(services.MinutesError):
        services.agenda_item_add(meeting=council, title="Sak", measure=foreign_measure)
    with pytest.raises(services.MinutesError):
        services.agenda_item_add(meeting=council, title="Sak", unwanted_event=foreign_event)
    assert not council.agenda_items.exists()


def test_an_item_with_decisions_cannot_be_deleted(coordinator, council):
    (item,) = add_items(council, 1)
    services.minutes_start(meeting=council, created_by=None)
    services.decision_add(item=item, created_by=None, text="Vedtatt.")
    response = coordinator.post(url("agenda_item_delete", council, item_pk=item.pk), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_a_residents_meeting_takes_the_marked_items_and_reports_back(coordinator, world):
    body = make_body(world.project)
    council = make_meeting(world.project, body=body, days=14, title="Naborådsmøte")
    noise, party = add_items(council, 2)
    services.agenda_item_edit(item=noise, title="Støy", for_residents=True)
    services.agenda_item_edit(item=party, title="Sommerfest")
    client = coordinator
    starts = timezone.localtime(council.starts_at - timedelta(days=7))
    response = client.post(
        url("residents_meeting_create", council),
        {
            "title": "Beboermøte",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Fellesstua",
        },
    )
    assert response.status_code == 302
    residents = Meeting.objects.get(kind=Meeting.Kind.RESIDENTS)
    assert residents.body == body and not residents.is_public
    (copy,) = residents.agenda_items.all()
    assert copy.title == "Støy" and copy.council_item == noise

    response = client.post(
        url("residents_note", residents, item_pk=copy.pk),
        {"note": "Beboerne ønsker faste stilletider."},
    )
    assert response.status_code == 302
    noise.refresh_from_db()
    assert noise.residents_note == "Beboerne ønsker faste stilletider."
    page = client.get(council.get_absolute_url()).content.decode()
    assert "meeting said:" in page and "faste stilletider" in page
    assert "Beboermøte" in page  # linked from the council meeting


def test_a_residents_meeting_needs_marked_items_and_must_come_first(coordinator, council):
    add_items(council, 1)
    client = coordinator
    starts = timezone.localtime(council.starts_at + timedelta(days=1))
    data = {
        "title": "Beboermøte",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Fellesstua",
    }
    response = client.post(url("residents_meeting_create", council), data)
    assert response.status_code == 400
    assert "Mark at least one agenda item" in response.content.decode()
    council.agenda_items.update(for_residents=True)
    response = client.post(url("residents_meeting_create", council), data)
    assert response.status_code == 400
    assert "before the council meeting" in response.content.decode()
    assert not Meeting.objects.filter(kind=Meeting.Kind.RESIDENTS).exists()


# Minutes -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_minutes_go_from_draft_to_comments_to_approved(coordinator, world, council, tasks):
    (item,) = add_items(council, 1)
    client = coordinator
    assert client.post(url("minutes_start", council)).status_code == 302
    minutes = minutes_of(council)
    assert minutes.status == Minutes.Status.DRAFT

    client.post(url("minutes_item", council, item_pk=item.pk), {"notes": "Godt oppmøte."})
    members = list(council.body.members.order_by("name"))
    data = {f"member_{m.pk}": "present" for m in members[:2]}
    data[f"member_{members[2].pk}"] = "apologies"
    assert client.post(url("minutes_attendance", council), data).status_code == 302
    client.post(
        url("minutes_edit", council), {"summary": "Møtet startet presis.", "head_count": ""}
    )

    mail.outbox.clear()
    assert client.post(url("minutes_send", council)).status_code == 302
    tasks()
    with_email = [m for m in council.body.members.all() if m.email]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in with_email)
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    assert mail.outbox[0].reply_to == [world.users["coordinator"].email]
    assert "Godt oppmøte." in pdf_text(mail.outbox[0].attachments[0][1])
    tasks()  # a re-run sends nothing twice
    assert len(mail.outbox) == len(with_email)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.COMMENTS

    response = client.post(
        url("minutes_comment", council), {"member": members[0].pk, "text": "Rett skrivefeil."}
    )
    assert response.status_code == 302
    assert minutes.comments.get().text == "Rett skrivefeil."

    assert client.post(url("minutes_approve", council)).status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED
    assert minutes.approved_by == world.users["coordinator"] and minutes.approved_at
    version = minutes.versions.get()
    assert version.content["items"][0]["notes"] == "Godt oppmøte."
    assert version.content["present"] and version.content["apologies"]

    page = client.get(url("minutes_detail", council)).content.decode()
    assert "Godt oppmøte." in page and "Rett skrivefeil." in page and "Version 1" in page


def test_approving_twice_is_refused(council):
    """The whole workflow table is walked in test_minutes_workflow.py."""
    services.minutes_start(meeting=council, created_by=None)
    # Approving twice through the service is refused; the version stays as approved.
    services.minutes_approve(minutes=minutes_of(council), approved_by=None)
    with pytest.raises(services.MinutesError):
        services.minutes_approve(minutes=minutes_of(council), approved_by=None)
    assert minutes_of(council).versions.count() == 1


def test_editing_approved_minutes_makes_a_new_version(coordinator, council):
    (item,) = add_items(council, 1)
    services.minutes_start(meeting=council, created_by=None)
    services.item_notes_save(item=item, notes="Første tekst.")
    services.minutes_approve(minutes=minutes_of(council), approved_by=None)
    client = coordinator

    response = client.post(
        url("minutes_item", council, item_pk=item.pk), {"notes": "Rettet tekst."}, follow=True
    )
    assert "starts version 2" in response.content.decode()
    minutes = minutes_of(council)
    assert (minutes.version, minutes.status) == (2, Minutes.Status.DRAFT)
    # Nothing approved is lost: version 1 reads as it did and can still be opened.
    first = minutes.versions.get(version=1)
    assert first.content["items"][0]["notes"] == "Første tekst."
    page = client.get(url("minutes_version", council, version=1)).content.decode()
    assert "Første tekst." in page and "A later version exists." in page
    # A second change stays in version 2.
    client.post(url("minutes_item", council, item_pk=item.pk), {"notes": "Rettet igjen."})
    assert minutes_of(council).version == 2
    services.minutes_approve(minutes=minutes_of(council), approved_by=None)
    assert list(minutes.versions.values_list("version", flat=True)) == [2, 1]
    assert minutes.versions.get(version=2).content["items"][0]["notes"] == "Rettet igjen."
    # Every path of change starts a version: a decision, the attendance, the agenda itself.
    services.decision_add(item=item, created_by=None, text="Nytt vedtak.")
    assert minutes_of(council).version == 3
    assert MinutesVersion.objects.filter(minutes=minutes).count() == 2


def test_a_decision_creates_a_measure_in_the_plan(coordinator, world, council):
    (item,) = add_items(council, 1)
    services.minutes_start(meeting=council, created_by=None)
    client = coordinator
    due = timezone.localdate() + timedelta(days=60)
    response = client.post(
        url("decision_create", council, item_pk=item.pk),
        {
            "text": "Boligtjenesten setter opp skilt om stilletid.",
            "measure_title": "Skilt om stilletid",
            "owner_unit": world.project.responsible_unit_id,
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    decision = item.decisions.get()
    measure = Measure.objects.get(decision=decision)
    assert measure.project == world.project and measure.due_date == due
    assert measure.owner_unit == world.project.responsible_unit
    assert measure.source_field == "decision"
    page = client.get(measure.get_absolute_url()).content.decode()
    assert "Meeting decision: Boligtjenesten setter opp skilt" in page
    minutes_page = client.get(url("minutes_detail", council)).content.decode()
    assert "Skilt om stilletid" in minutes_page


def test_a_decision_measure_needs_an_owner_and_a_deadline(coordinator, world, council):
    (item,) = add_items(council, 1)
    services.minutes_start(meeting=council, created_by=None)
    client = coordinator
    for missing in ("owner_unit", "due_date"):
        data = {
            "text": "Vi trenger skilt.",
            "measure_title": "Skilt om stilletid",
            "owner_unit": world.project.responsible_unit_id,
            "due_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        }
        del data[missing]
        response = client.post(url("decision_create", council, item_pk=item.pk), data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "needs an owner unit" in page or "needs a deadline" in page
        assert "Vi trenger skilt." in page and "Skilt om stilletid" in page  # nothing lost
    assert (
        not Decision.objects.exists()
        and not Measure.objects.filter(title="Skilt om stilletid").exists()
    )
    # The service refuses too.
    with pytest.raises(services.MinutesError) as error:
        services.decision_add(item=item, created_by=None, text="Vedtak", measure_title="Tiltak")
    assert set(error.value.error_dict) == {"owner_unit", "due_date"}
    assert not Decision.objects.exists()


def test_publishing_needs_the_confirmation(client, coordinator, world, council):
    (item,) = add_items(council, 1)
    services.minutes_start(meeting=council, created_by=None)
    services.item_notes_save(item=item, notes="Naboene er fornøyde.")
    minutes = minutes_of(council)
    staff = coordinator
    response = staff.post(url("minutes_publish", council), {"confirm": "on"})
    assert response.status_code == 400
    assert "Approve the minutes before" in response.content.decode()

    services.minutes_approve(minutes=minutes, approved_by=None)
    response = staff.post(url("minutes_publish", council), {})
    assert response.status_code == 400
    assert "Confirm that the minutes hold no personal information" in response.content.decode()
    minutes.refresh_from_db()
    assert not minutes.is_public
    public_url = reverse("portal:meeting_minutes", args=[world.project.slug, council.pk])
    assert client.get(public_url).status_code == 404
    with pytest.raises(services.MinutesError):
        services.minutes_publish(minutes=minutes, published_by=None, confirmed=False)

    assert staff.post(url("minutes_publish", council), {"confirm": "on"}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.is_public
    page = client.get(public_url).content.decode()
    assert "Naboene er fornøyde." in page
    assert public_url in client.get(world.project.get_public_url()).content.decode()

    # A new draft is not public: the public page keeps the approved text.
    services.item_notes_save(item=item, notes="Utkast som ikke er godkjent.")
    page = client.get(public_url).content.decode()
    assert "Naboene er fornøyde." in page and "Utkast" not in page

    staff.post(url("minutes_unpublish", council))
    assert client.get(public_url).status_code == 404


def test_minutes_as_pdf(coordinator, council):
    (item,) = add_items(council, 1)
    services.minutes_start(meeting=council, created_by=None)
    services.item_notes_save(item=item, notes="Gjennomgang av husordensreglene.")
    client = coordinator
    response = fetch_document(client, url("minutes_pdf", council))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Gjennomgang av husordensreglene." in text and "Draft" in text
    reader = PdfReader(io.BytesIO(response.content))
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp  # PDF/A-2b
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    services.minutes_approve(minutes=minutes_of(council), approved_by=None)
    response = fetch_document(client, url("minutes_pdf", council) + "?versjon=1")
    assert "Version 1, approved" in pdf_text(response.content)
    assert client.get(url("minutes_pdf", council) + "?versjon=7").status_code == 404
    assert client.get(url("minutes_pdf", council) + "?versjon=x").status_code == 404


def test_politicians_read_minutes_but_do_not_write_them(world, council):
    services.minutes_start(meeting=council, created_by=None)
    politician = english(world.users["politician"])
    page = politician.get(url("minutes_detail", council))
    assert page.status_code == 200 and url("minutes_approve", council) not in page.content.decode()
    assert politician.post(url("minutes_approve", council)).status_code == 403


# Measured ----------------------------------------------------------------------------------


# The minutes page is where they are written (issue 19): attendance rows and the owner units
# of the decision forms take a few queries more, still not one per item.
QUERY_BOUND = 24


@pytest.mark.parametrize("count", [5, 200])
def test_pages_take_a_fixed_number_of_queries(
    count, coordinator, council, django_assert_max_num_queries
):
    bulk_items(council, count)
    services.minutes_start(meeting=council, created_by=None)
    services.minutes_approve(minutes=minutes_of(council), approved_by=None)
    pages = (
        council.body.get_absolute_url(),
        council.get_absolute_url(),
        url("minutes_detail", council),
    )
    for page in pages:
        with django_assert_max_num_queries(QUERY_BOUND):
            response = coordinator.get(page)
        assert response.status_code == 200
    assert f"Sak {count - 1}" in coordinator.get(url("minutes_detail", council)).content.decode()


def test_query_counts_do_not_grow_with_the_agenda(coordinator, world, count_queries):
    """The same number of queries for 5 and for 200 items, page by page."""
    counts = {}
    for size in (5, 200):
        meeting = make_meeting(world.project, body=make_body(world.project, name=f"Råd {size}"))
        bulk_items(meeting, size)
        services.minutes_start(meeting=meeting, created_by=None)
        pages = (
            meeting.body.get_absolute_url(),
            meeting.get_absolute_url(),
            url("minutes_detail", meeting),
        )
        for page in pages:  # warm: the first visit may look up the site's municipality
            coordinator.get(page)
        counts[size] = [count_queries(coordinator.get, page)[1] for page in pages]
    assert counts[5] == counts[200], counts


@given(slug=st.text(max_size=60), pk=st.text(max_size=20))
@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_fuzzed_public_minutes_addresses_never_fail(world, settings, slug, pk):
    settings.RATELIMIT_ENABLE = False
    for path in (
        f"/prosjekter/{quote(slug, safe='')}/referater/{quote(pk, safe='')}/",
        f"/prosjekter/{world.project.slug}/referater/{quote(pk, safe='')}/",
    ):
        response = english().get(path)
        assert response.status_code in (301, 302, 404), (path, response.status_code)


def test_public_minutes_are_rate_limited(world, settings, council):
    settings.PUBLIC_READ_RATE = "5/m"
    path = reverse("portal:meeting_minutes", args=[world.project.slug, council.pk])
    statuses = [english().get(path, REMOTE_ADDR="10.0.0.9").status_code for _ in range(12)]
    assert statuses[:5] == [404] * 5  # not published
    assert 429 in statuses


def test_an_open_meeting_counts_heads(coordinator, world):
    meeting = make_meeting(world.project, days=-2, title="Dialogmøte", is_public=True)
    services.minutes_start(meeting=meeting, created_by=None)
    response = coordinator.post(
        url("minutes_edit", meeting), {"summary": "Godt møte.", "head_count": "-3"}
    )
    assert response.status_code == 400 and "Godt møte." in response.content.decode()
    assert minutes_of(meeting).head_count is None
    response = coordinator.post(
        url("minutes_edit", meeting), {"summary": "Godt møte.", "head_count": "23"}
    )
    assert response.status_code == 302
    page = coordinator.get(url("minutes_detail", meeting)).content.decode()
    assert "23 people present." in page
    # Without a body there are no members to record.
    response = coordinator.get(url("minutes_attendance", meeting), follow=True)
    assert "Only a body" in response.content.decode()
