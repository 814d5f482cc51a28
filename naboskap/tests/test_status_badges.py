"""One way to show a state (naboskap/lib/status.py): every state of every kind has a colour,
a mark and a word; a word has one colour everywhere; nothing open is green."""

import re

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import timezone, translation

from naboskap.lib import status
from naboskap.lib.status import COLOURS, FLAGS, STATE_LABELS, STATUS, SUCCESS

# The states in which something is still to be done, by kind: never "success".
OPEN_STATES = {
    "concerns.concern.status": {"received", "acknowledged", "in_progress", "waiting"},
    "plans.measure.status": {"planned", "in_progress"},
    "plans.input.moderation": {"pending"},
    "plans.input.decision": {"under_consideration"},
    "meetings.minutes.status": {"draft", "comments"},
    "meetings.meeting.state": {"upcoming"},
    "risk.analysis.status": {"draft", "review"},
    "routines.routine.status": {"draft"},
    "routines.projecttask.status": {"open"},
    "facility.incident.status": {"open", "followed_up"},
    "scheduling.jobrun.status": {"queued", "running"},
}


def render(source: str, **context) -> str:
    return Template("{% load status_badges %}" + source).render(Context(context))


def choices(kind: str) -> set[str]:
    app_label, model_name, field = kind.split(".")
    if kind in STATE_LABELS:
        return set(STATE_LABELS[kind])
    model = apps.get_model(app_label, model_name)
    return {value for value, _label in model._meta.get_field(field).choices}


@pytest.mark.parametrize("kind", sorted(STATUS))
def test_every_state_of_every_kind_has_a_colour_and_a_mark(kind):
    assert set(STATUS[kind]) == choices(kind)
    for value, style in STATUS[kind].items():
        assert style.colour in COLOURS, (kind, value)
        assert style.mark, (kind, value)


@pytest.mark.parametrize("kind", sorted(OPEN_STATES))
def test_open_is_never_green(kind):
    assert OPEN_STATES[kind] <= set(STATUS[kind])
    for value in OPEN_STATES[kind]:
        assert STATUS[kind][value].colour != SUCCESS, (kind, value)


def test_a_word_has_one_colour_everywhere():
    with translation.override("en"):
        colours: dict[str, set[str]] = {}
        for kind, styles in STATUS.items():
            for value, style in styles.items():
                label = (
                    STATE_LABELS[kind][value]
                    if kind in STATE_LABELS
                    else dict(
                        apps.get_model(*kind.split(".")[:2])
                        ._meta.get_field(kind.split(".")[2])
                        .choices
                    )[value]
                )
                colours.setdefault(str(label), set()).add(style.colour)
        for style, label in FLAGS.values():
            colours.setdefault(str(label), set()).add(style.colour)
    assert {word: c for word, c in colours.items() if len(c) > 1} == {}
    # The words that must never look finished.
    for word in ("Open", "Received", "Waiting for the reporter", "Planned", "Upcoming"):
        assert SUCCESS not in colours[word], word


def test_the_concern_badge_has_colour_mark_and_word_in_each_language():
    from naboskap.concerns.models import Concern

    concern = Concern(status="waiting")
    for language, word in (("en", "Waiting for the reporter"), ("nb", "Venter på melderen")):
        with translation.override(language):
            html = render("{% status_badge concern %}", concern=concern)
        assert 'data-status="waiting"' in html and 'data-color="warning"' in html
        assert '<span class="status-badge__mark" aria-hidden="true">⏸</span>' in html
        assert html.rstrip().endswith(f"{word}</span>"), html


def test_a_second_field_and_the_raw_value_tag():
    from naboskap.plans.models import Input

    suggestion = Input(moderation="pending", decision="adopted")
    with translation.override("en"):
        html = render('{% status_badge item "decision" %}', item=suggestion)
        raw = render(
            '{% state_badge "plans.input.moderation" value label %}',
            value="pending",
            label="Waiting for moderation",
        )
    assert 'data-color="success"' in html and "Adopted</span>" in html
    assert 'data-color="warning"' in raw and "Waiting for moderation</span>" in raw


def test_a_meeting_is_upcoming_held_or_cancelled():
    from datetime import timedelta

    from naboskap.meetings.models import Meeting

    now = timezone.now()
    coming = Meeting(starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    held = Meeting(starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=20))
    cancelled = Meeting(starts_at=coming.starts_at, ends_at=coming.ends_at, cancelled_at=now)
    with translation.override("nb"):
        html = render(
            "{% status_badge a %}|{% status_badge b %}|{% status_badge c %}",
            a=coming,
            b=held,
            c=cancelled,
        )
    first, second, third = html.split("|")
    assert 'data-color="info"' in first and "Kommende</span>" in first
    assert 'data-color="neutral"' in second and "Avholdt</span>" in second
    # A meeting is "avlyst", never "henlagt" (which is a concern's word).
    assert 'data-color="neutral"' in third and "Avlyst</span>" in third


def test_flags_and_their_own_words():
    with translation.override("en"):
        overdue = render('{% flag_badge "overdue" %}')
        retired = render('{% flag_badge "retired" label %}', label="Retired 1.2.2026")
    assert 'data-color="danger"' in overdue and "⚠" in overdue and "Overdue</span>" in overdue
    assert 'data-color="neutral"' in retired and "Retired 1.2.2026</span>" in retired


def test_unknown_values_are_grey_not_an_error():
    assert status.style("concerns.concern.status", "nonsense").colour == "neutral"
    assert status.style("no.such.kind", "x").colour == "neutral"


def test_no_template_hand_writes_a_status_colour():
    """The ad-hoc `<span class="ds-tag" data-color="{% if … status …` badges are gone."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r'class="ds-tag"[^>]*data-color="\{% if [^"]*(status|moderation|decision)')
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
