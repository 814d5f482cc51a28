"""The council and meeting pages in headless Chromium, in bokmål and nynorsk: axe-core finds
no WCAG 2.1 A/AA violations, `<html lang>` is right, nothing scrolls sideways at 320 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.meetings import services
from naboskap.meetings.models import Meeting
from naboskap.meetings.tests.factories import add_members, invitation, make_body, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meeting_pages(world, visitor):
    project = world.project
    body = make_body(project, members=[])  # no chair: the health warnings show
    add_members(body, 3)
    meeting = make_meeting(project, body=body, is_public=True, title="Dialogmøte")
    services.invitations_send(meeting=meeting, members=body.members.all())
    invited = invitation(meeting, email="nabo@example.org")
    services.invitation_mark_bounced(invitation=invited, note="550 User unknown")
    passed = invitation(make_meeting(project, title="Forrige møte"), email="gammel@example.org")
    starts = timezone.now() - timedelta(days=3)
    Meeting.objects.filter(pk=passed.meeting_id).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )

    visitor.open(passed.get_rsvp_url(), status=410)
    page = visitor.open(invited.get_rsvp_url())
    page.get_by_role("button", name="Maybe").or_(page.locator("button[value=maybe]")).first.click()
    visitor.audit()
    visitor.open(project.get_public_url())

    visitor.login(world.users["coordinator"])
    visitor.open(reverse("projects:detail", args=[project.pk]))
    visitor.open(reverse("meetings:body_list", args=[project.pk]))
    visitor.open(body.get_absolute_url())
    visitor.open(reverse("meetings:member_create", args=[project.pk, body.pk]))
    visitor.open(reverse("meetings:meeting_list", args=[project.pk]))
    visitor.open(meeting.get_absolute_url())
    visitor.open(reverse("meetings:meeting_invite", args=[project.pk, meeting.pk]))
    page = visitor.open(reverse("meetings:meeting_create", args=[project.pk]))
    page.locator("form.form-stack button[type=submit]").click()  # empty: errors shown
    visitor.audit()
    visitor.assert_no_problems()


def test_agenda_and_minutes_pages(world, visitor):
    from naboskap.meetings.minutes import services as minutes_services

    project = world.project
    body = make_body(project)
    council = make_meeting(project, body=body, days=10, title="Naborådsmøte")
    noise = minutes_services.agenda_item_add(
        meeting=council,
        title="Støy om natta",
        presenter="Nina Nabo",
        duration_minutes=20,
        for_residents=True,
    )
    minutes_services.agenda_item_add(meeting=council, title="Sommerfest", duration_minutes=15)
    starts = council.starts_at - timedelta(days=7)
    residents = services.residents_meeting_create(
        council_meeting=council,
        created_by=None,
        title="Beboermøte",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    minutes_services.residents_note_save(
        item=residents.agenda_items.get(), note="Beboerne ønsker faste stilletider."
    )
    minutes = minutes_services.minutes_start(meeting=council, created_by=None)
    minutes_services.item_notes_save(item=noise, notes="Gjennomgang av husordensreglene.")
    minutes_services.decision_add(
        item=noise,
        created_by=None,
        text="Boligtjenesten setter opp skilt.",
        measure_title="Skilt om stilletid",
        owner_unit=project.responsible_unit,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    minutes_services.minutes_approve(minutes=minutes, approved_by=None)
    minutes_services.minutes_publish(minutes=minutes, published_by=None, confirmed=True)
    kwargs = {"pk": project.pk, "meeting_pk": council.pk}

    visitor.open(reverse("portal:meeting_minutes", args=[project.slug, council.pk]))
    visitor.login(world.users["coordinator"])
    visitor.open(council.get_absolute_url())
    visitor.open(residents.get_absolute_url())
    page = visitor.open(reverse("meetings:agenda_item_create", kwargs=kwargs))
    page.locator("form.form-stack button[type=submit]").click()  # empty: errors shown
    visitor.audit()
    visitor.open(reverse("meetings:minutes_detail", kwargs=kwargs))
    visitor.open(reverse("meetings:minutes_attendance", kwargs=kwargs))
    page = visitor.open(reverse("meetings:minutes_item", kwargs={**kwargs, "item_pk": noise.pk}))
    page.locator("#id_measure_title").fill("Nytt tiltak")
    page.locator("#id_text").fill("Vedtak uten frist.")
    page.locator("form[action$='/vedtak/'] button[type=submit]").click()  # no owner, no deadline
    visitor.audit()
    visitor.open(reverse("meetings:minutes_version", kwargs={**kwargs, "version": 1}))
    visitor.assert_no_problems()


def _login_link(member, token: str) -> str:
    """A sent, unused login link for `member` (as the worker would leave it)."""
    from naboskap.meetings.models import MemberLoginLink

    now = timezone.now()
    MemberLoginLink.objects.create(
        member=member,
        email=member.email,
        token_hash=services.login_token_hash(token),
        sent_at=now,
        expires_at=now + timedelta(hours=24),
    )
    return reverse("portal:member_login", args=[token])


def test_members_page_series_budget_and_template_pages(world, visitor):
    from decimal import Decimal

    from naboskap.meetings.minutes import services as minutes_services

    project = world.project
    body = make_body(project)
    coming = make_meeting(project, body=body, title="Naborådsmøte i mars")
    minutes_services.agenda_item_add(
        meeting=coming, title="Støy om kvelden", presenter="Nina Nabo", duration_minutes=15
    )
    held = make_meeting(project, body=body, title="Naborådsmøte i januar", days=-20)
    minutes_services.agenda_item_add(meeting=held, title="Parkering")
    draft = minutes_services.minutes_start(meeting=held, created_by=None)
    minutes_services.minutes_edit(minutes=draft, summary="God stemning.")
    minutes_services.minutes_send_for_comments(minutes=draft)
    party = make_meeting(project, body=body, kind="social", title="Julefest", days=25)
    services.meeting_set_budget(meeting=party, budget=Decimal("5000"))
    services.cost_line_add(
        meeting=party,
        item="Grøt og skinke",
        amount=Decimal("2450.50"),
        paying_unit=project.responsible_unit,
    )
    template = services.agenda_template_save(meeting=coming, name="Ordinært møte")
    series = services.series_create(
        project=project,
        created_by=None,
        body=body,
        kind="council",
        title="Fast naborådsmøte",
        first_starts_at=timezone.now().replace(second=0, microsecond=0) + timedelta(days=40),
        frequency="monthly",
        interval=2,
        count=3,
        place="Fellesstua",
        template=template,
    )
    member = body.members.get(name="Nina Nabo")

    # The member: the link, the members' page, a comment without text, the used link.
    login = _login_link(member, f"browser-token-{visitor.language}-0123456789abcdef")
    page = visitor.open(login)
    page.locator("main form button[type=submit]").click()
    visitor.audit()
    comment = page.locator("form[action$='/kommentar/']")
    comment.locator("xpath=ancestor::details[1]/summary").click()  # folded on a phone
    comment.locator("button[type=submit]").click()  # empty: 400
    visitor.audit()
    visitor.open(login, status=410)
    page = visitor.open(reverse("portal:member_link_request"))
    page.locator("main form button[type=submit]").click()  # empty: errors shown
    visitor.audit()

    # Staff: budget, costs (a bad amount), the series and the templates.
    visitor.login(world.users["coordinator"])
    visitor.open(reverse("meetings:body_budget", args=[project.pk, body.pk]))
    page = visitor.open(reverse("meetings:meeting_costs", args=[project.pk, party.pk]))
    page.locator("#id_cost-item").fill("Kaffe")
    page.locator("#id_cost-amount").fill("-12,345")
    page.locator("#id_cost-amount").press("Enter")
    visitor.audit()
    visitor.open(series.get_absolute_url())
    visitor.open(reverse("meetings:series_edit", args=[project.pk, series.pk]))
    page = visitor.open(reverse("meetings:series_create", args=[project.pk]))
    page.locator("form.form-stack button[type=submit]").click()  # empty: errors shown
    visitor.audit()
    visitor.open(reverse("meetings:agenda_template_list", args=[project.pk]))
    visitor.open(reverse("meetings:agenda_template_save", args=[project.pk, coming.pk]))
    visitor.assert_no_problems()
