"""The live round in the room (issue 19), in headless Chromium with axe-core, in bokmål and
nynorsk: the coordinator opens a round and the room view on a 1366 px screen; a phone at
390 px joins by the round's code, scores every event (one dimension "don't know"), sees its
summary, and the room view counts the vote by itself (htmx polling)."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from naboskap.risk import services
from naboskap.risk.models import ScoringRound, Vote
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.browser import AXE_SCRIPT, Visitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENTS = [
    ("Støy fra uteområdet om natta", "Fest i bakgården etter midnatt, flere helger på rad."),
    ("Hærverk på sykkelboder", "Dører brytes opp og sykler ødelegges."),
    ("Brann i søppelrom", ""),
]


def phone_visitor(visitor: Visitor) -> Visitor:
    """A second browser, a phone 390 px wide, in the same language, anonymous."""
    context = visitor.page.context.browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(AXE_SCRIPT)
    context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": visitor.language,
                "url": visitor.base_url,
            }
        ]
    )
    return Visitor(page=context.new_page(), base_url=visitor.base_url, language=visitor.language)


def test_a_room_scores_from_phones_while_the_projector_counts(world, visitor):
    analysis = make_analysis(world.project, by=world.users["coordinator"])
    for title, scenario in EVENTS:
        services.event_create(analysis=analysis, title=title, scenario=scenario)

    # The coordinator opens the round and the room view on the meeting room's screen.
    visitor.page.set_viewport_size({"width": 1366, "height": 768})
    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("risk:round_create", args=[world.project.pk, analysis.pk]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    scoring_round = ScoringRound.objects.get(analysis=analysis)
    visitor.audit()
    room = reverse("risk:round_room", args=[world.project.pk, analysis.pk, scoring_round.pk])
    page.locator(f'a[href="{room}"]').click()
    page.wait_for_url(f"**{room}")
    visitor.audit()
    assert page.locator(".site-header").count() == 0  # no staff navigation
    qr = page.locator(".room__qr svg").bounding_box()
    drawn = page.locator(".room__qr svg path").bounding_box()  # the modules, as drawn
    assert qr["height"] >= 768 / 3 and drawn["height"] >= 0.8 * qr["height"]
    expect(page.locator(".room__code")).to_have_text(scoring_round.code)
    expect(page.locator(".room__voters")).to_contain_text("0")

    # A phone joins by the code and scores each event, one per screen.
    phone = phone_visitor(visitor)
    screen = phone.open(reverse("portal:scoring_join", args=[scoring_round.code]))
    with screen.expect_navigation():
        screen.locator("main .form-actions a.ds-button").click()
    for number, (title, scenario) in enumerate(EVENTS, start=1):
        expect(screen.locator("h1")).to_contain_text(title)
        expect(screen.locator(".scoring__progress")).to_contain_text(f"{number}")
        if scenario:
            expect(screen.locator(".scoring__scenario")).to_contain_text(scenario)
        if number == 1:
            phone.audit()
        screen.locator('input[name="probability"][value="3"]').check()
        for fieldset in screen.locator("main form fieldset").all()[1:]:
            fieldset.locator("input[type=radio]").nth(1).check()  # level 2
        if number == 2:
            # "Don't know" in one dimension, chosen by keyboard: Space checks the radio.
            screen.locator('input[name="c_tillit"][value="unknown"]').focus()
            screen.keyboard.press("Space")
            expect(screen.locator('input[name="c_tillit"][value="unknown"]')).to_be_checked()
        with screen.expect_navigation():
            screen.locator("main form button[type=submit]").click()
    # After the last event: the summary of one's own votes.
    assert screen.url.endswith(reverse("portal:scoring_summary", args=[scoring_round.code]))
    expect(screen.locator(".scoring-summary")).to_have_count(3)
    phone.audit()
    assert Vote.objects.filter(round=scoring_round).count() == 3
    tillit = Vote.objects.get(round=scoring_round, event__number=2).consequences
    assert "tillit" not in tillit and tillit["trygghet"] == 2

    # The room view counts the phone by itself (htmx polls every 3 s).
    expect(page.locator(".room__voters")).to_contain_text("1", timeout=10_000)
    # Two more in the room: the histograms show from three votes.
    for device in ("b", "c"):
        services.vote_cast(
            scoring_round=scoring_round,
            event=analysis.events.get(number=1),
            device=device,
            probability=4,
            consequences={"liv_helse": 1, "trygghet": 3},
        )
    expect(page.locator(".room__voters")).to_contain_text("3", timeout=10_000)
    expect(page.locator(".room__event").first.locator("svg[role=img]")).to_have_count(6)
    visitor.audit()
    # The presenter steps to one event.
    page.locator(".room__steps a").first.click()
    page.wait_for_url("**?hendelse=1")
    expect(page.locator(".room__event")).to_have_count(1)
    visitor.audit()
    phone.page.context.close()
    visitor.assert_no_problems()
    phone.assert_no_problems()
