"""Radios and checkboxes sit beside their labels, on every kind of page that has them.

Designsystemet lays out a choice as an input and its label side by side in a `.ds-field`.
In headless Chromium, at 320 px and at 1366 px, every visible radio and checkbox in a form must
have a label whose text starts to the right of the control, on the same line, and clicking the
label must choose it. axe runs on each page too (the `visitor` audits every page it opens).
"""

import pytest
from django.urls import reverse

from naboskap.concerns import services as concern_services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.factories import make_concern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 1366)

# For each radio or checkbox of a form in <main>: where it is and where its label's text is.
MEASURE = """() => [...document.querySelectorAll(
        'main form input[type=radio], main form input[type=checkbox]')]
    .filter(input => input.offsetParent !== null && input.labels && input.labels.length)
    .map(input => {
        const label = input.labels[0];
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = [...range.getClientRects()].find(r => r.width > 0)
            || label.getBoundingClientRect();
        const box = input.getBoundingClientRect();
        return {
            id: input.id, name: input.name, label: label.textContent.trim().slice(0, 40),
            inputLeft: box.left, inputRight: box.right, inputTop: box.top, inputBottom: box.bottom,
            textLeft: text.left, textTop: text.top, textBottom: text.bottom,
            wraps: label.contains(input),
        };
    })"""


def misplaced(page) -> list[str]:
    problems = []
    controls = page.evaluate(MEASURE)
    assert controls, f"{page.url}: no radio or checkbox with a label in a form"
    for c in controls:
        where = f"{c['name']}={c['label']!r}"
        if c["textLeft"] < c["inputRight"]:
            problems.append(f"{where}: label text starts left of its control")
        middle = (c["inputTop"] + c["inputBottom"]) / 2
        if not c["textTop"] - 2 <= middle <= c["textBottom"] + 2:
            problems.append(f"{where}: label text is not on the control's line")
    return problems


def check_choices(visitor, path: str) -> None:
    page = visitor.open(path)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visitor.problems.extend(f"{path} at {width} px: {p}" for p in misplaced(page))
    # The whole label is the target: a click on the first radio's label chooses it.
    first = page.locator("main form input[type=radio]").first
    if first.count():
        page.locator(f"label[for='{first.get_attribute('id')}']").click()
        assert first.is_checked(), f"{path}: clicking the label did not choose the radio"


def test_every_kind_of_choice_sits_beside_its_label(world, visitor):
    project = world.project
    # The public concern form: category and how we may contact you.
    check_choices(visitor, reverse("portal:project_report", args=[project.slug]))

    # The reporter's satisfaction question on a closed concern's follow-up page.
    concern = make_concern(project, reporter_email="nabo@example.org")
    coordinator = world.users["coordinator"]
    for status in ("acknowledged", "answered", "closed"):
        answer = "Vi har snakket med beboerne." if status == "answered" else ""
        concern_services.concern_transition(
            concern=concern, to_status=status, by=coordinator, answer=answer
        )
    check_choices(visitor, concern.get_follow_up_url())

    # The ROS vote on a phone: probability and every consequence dimension.
    analysis = make_analysis(project, by=coordinator)
    event = risk_services.event_create(analysis=analysis, title="Støy fra uteområdet om natta")
    scoring_round = risk_services.round_open(analysis=analysis, events=[event], opened_by=None)
    visitor.open(reverse("portal:scoring_join", args=[scoring_round.code]))
    check_choices(visitor, reverse("portal:scoring_vote", args=[scoring_round.code, 1]))

    # Staff pages: the language on one's profile, and attendance in the minutes.
    visitor.login(coordinator)
    check_choices(visitor, reverse("tenancy:profile"))
    # The access per area and the expiry of a new API token.
    check_choices(visitor, reverse("api_tokens:list"))
    council = make_meeting(project, body=make_body(project), days=-1, title="Naborådsmøte")
    minutes_services.minutes_start(meeting=council, created_by=None)
    check_choices(
        visitor,
        reverse("meetings:minutes_attendance", kwargs={"pk": project.pk, "meeting_pk": council.pk}),
    )

    visitor.assert_no_problems()
