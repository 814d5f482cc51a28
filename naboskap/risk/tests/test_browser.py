"""The ROS pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px. The score
form is also checked with its errors shown."""

import pytest
from django.urls import reverse

from naboskap.risk import services
from naboskap.risk.tests.factories import AFTER, fill_analysis, make_analysis, score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_risk_pages(world, visitor):
    project = world.project
    analysis = make_analysis(project, by=world.users["coordinator"])
    event = services.event_create(
        analysis=analysis,
        title="Støy fra uteområdet om natta",
        causes="Besøk sent på kvelden",
        knock_on_effects="Naboer sover dårlig",
    )
    score(event, 4, {"liv_helse": 1, "trygghet": 4, "materielle": 1, "tillit": 3})
    score(event, 2, {"liv_helse": 1, "trygghet": 2, "materielle": 1, "tillit": 2}, stage=AFTER)
    services.event_measure_add(
        event=event,
        created_by=None,
        title="Husordensregler",
        kind="probability",
        owner_unit=project.responsible_unit,
    )
    fill_analysis(analysis, 12)
    for to in ["review", "approved"]:
        services.analysis_change_status(analysis=analysis, to_status=to, changed_by=None)
    revision = services.analysis_revise(analysis=analysis, created_by=None)
    score(revision.events.get(number=1), 3, {"trygghet": 3})
    scale = analysis.scale_version.scale

    visitor.login(world.users["coordinator"])
    visitor.open(reverse("risk:analysis_list", args=[project.pk]))
    visitor.open(revision.get_absolute_url())
    page = visitor.open(reverse("risk:matrix", args=[project.pk, revision.pk]))
    assert page.locator("svg[role=img]").count() == 12
    visitor.open(reverse("risk:analysis_diff", args=[project.pk, revision.pk]))
    visitor.open(revision.events.get(number=1).get_absolute_url())
    visitor.open(reverse("risk:analysis_edit", args=[project.pk, revision.pk]))
    visitor.open(reverse("risk:scale_list"))
    visitor.open(scale.get_absolute_url())
    visitor.open(reverse("risk:scale_edit", args=[scale.pk]))

    page = visitor.open(
        reverse("risk:event_score", args=[project.pk, revision.pk, revision.events.first().pk])
    )
    page.locator("#id_before-probability").select_option("")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").first.is_visible()
    visitor.audit()


def test_live_scoring_pages(world, visitor):
    """The phone's voting page (with its errors shown) and the room view."""
    analysis = make_analysis(world.project, by=world.users["coordinator"])
    events = [
        services.event_create(analysis=analysis, title="Støy fra uteområdet om natta"),
        services.event_create(analysis=analysis, title="Hærverk på sykkelboder"),
    ]
    scoring_round = services.round_open(analysis=analysis, events=events, opened_by=None)
    for n in range(3):
        services.vote_cast(
            scoring_round=scoring_round,
            event=events[0],
            device=f"d{n}",
            probability=2 + n,
            consequences={"liv_helse": 1, "trygghet": 3, "materielle": 1, "tillit": 2},
        )
    visitor.open(reverse("portal:scoring_join", args=[scoring_round.code]))
    page = visitor.open(reverse("portal:scoring_vote", args=[scoring_round.code, 1]))
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").first.is_visible()
    visitor.audit()
    visitor.login(world.users["coordinator"])
    page = visitor.open(scoring_round.get_absolute_url())
    assert page.locator("svg[role=img] title").count() == 1
