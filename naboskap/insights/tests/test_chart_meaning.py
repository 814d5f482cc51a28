"""Charts whose colours carry their meaning: whole-number axes for counts, risk levels in the
risk matrix's own colours and patterns, "open" never green, plural forms in nb, nn and en."""

import re

import pytest
from django.utils import translation

from naboskap.insights import dashboard
from naboskap.lib.charts import RISK_LOOKS, STATE_LOOKS, bar_chart, line_chart

GREEN = "#2e7d32"


def ticks(html: str) -> list[str]:
    """The y axis' tick texts, bottom to top."""
    return re.findall(r'text-anchor="end" fill="#1b1b1b">([^<]*)</text>', html)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1], ["1", "0"]),
        ([0, 1], ["1", "0"]),
        ([2, 1], ["2", "1", "0"]),
        ([3], ["3", "2", "1", "0"]),
        ([7, 2], ["8", "6", "4", "2", "0"]),
        ([40], ["40", "30", "20", "10", "0"]),
    ],
)
def test_counts_get_whole_number_ticks(language, values, expected):
    with translation.override(language):
        html = bar_chart(title="Meetings", labels=[str(i) for i in values], series=[("n", values)])
    assert list(reversed(ticks(html))) == expected
    assert not any("," in t or "." in t for t in ticks(html))


def test_a_line_of_counts_gets_whole_ticks_too_but_a_mean_keeps_its_decimals():
    with translation.override("nb"):
        counts = line_chart(title="T", labels=["a", "b"], series=[("s", [0, 1])], decimals=0)
        means = line_chart(title="T", labels=["a", "b"], series=[("s", [0.2, 0.4])])
    assert ticks(counts) == ["0", "1"]
    assert "0,5" not in counts
    assert any("," in t for t in ticks(means))


def test_shares_with_decimals_are_not_forced_to_whole_steps():
    html = bar_chart(title="T", labels=["a"], series=[("s", [0.4])], decimals=1)
    assert len(ticks(html)) > 2


def test_risk_levels_are_drawn_in_the_matrix_colours_with_patterns():
    html = bar_chart(
        title="Risk",
        labels=["Before", "After"],
        series=[("Red", [3, 1]), ("Yellow", [2, 2]), ("Green", [1, 3])],
        looks=[RISK_LOOKS["red"], RISK_LOOKS["yellow"], RISK_LOOKS["green"]],
    )
    # The matrix's fills (risk/includes/matrix_svg.html), red hatched and yellow dotted.
    patterns = dict(
        re.findall(r'<pattern id="([^"]+)"[^>]*><rect width="8" height="8" fill="(#\w+)"', html)
    )
    assert sorted(patterns.values()) == ["#f6c9c4", "#fbe9a6"]
    red_id = next(pid for pid, fill in patterns.items() if fill == "#f6c9c4")
    assert f'fill="url(#{red_id})" stroke="#4a4a4a"' in html
    assert 'fill="#cde8cf" stroke="#4a4a4a"' in html
    # Red is hatched, yellow dotted: not colour alone.
    assert "<line" in html.split(red_id)[1].split("</pattern>")[0]
    assert "<circle" in html
    # The legend names each level beside a swatch of the same fill.
    legend = html.split('<ul class="chart__legend">')[1].split("</ul>")[0]
    assert f'fill="url(#{red_id})"' in legend and "Red</li>" in legend and "Green</li>" in legend


def test_open_is_never_green_and_done_is():
    assert STATE_LOOKS["open"].fill != GREEN
    assert STATE_LOOKS["done"].fill == GREEN
    html = bar_chart(
        title="Routine",
        labels=["Planning"],
        series=[("Done", [2]), ("Not relevant", [1]), ("Open", [3])],
        looks=[STATE_LOOKS["done"], STATE_LOOKS["not_relevant"], STATE_LOOKS["open"]],
        stacked=True,
    )
    bars = re.findall(r'fill="([^"]+)" stroke="[^"]+" stroke-width="[^"]+"><title>', html)
    assert bars == [GREEN, "#6b7780", "#1f5fa6"]
    open_tip = re.search(r'fill="([^"]+)"[^>]*><title>Planning, Open: 3</title>', html)
    assert open_tip.group(1) != GREEN


def test_the_palette_without_meaning_is_unchanged():
    html = bar_chart(title="T", labels=["a"], series=[("x", [1]), ("y", [2])])
    assert 'fill="#1f5fa6"' in html and 'fill="#b35300"' in html
    assert "<pattern" not in html


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("nb", "1 melding mottatt fra", "2 meldinger mottatt fra"),
        ("nn", "1 melding motteken frå", "2 meldingar mottekne frå"),
        ("en", "1 concern received from", "2 concerns received from"),
    ],
)
def test_summaries_are_pluralised_in_each_language(language, one, two):
    with translation.override(language):
        assert dashboard._received(1, "x").startswith(one)
        assert dashboard._received(2, "x").startswith(two)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ["1 møte;", "1 hendelse i de gjeldende analysene"]),
        ("nn", ["1 møte;", "1 hending i dei gjeldande analysane"]),
        ("en", ["1 meeting;", "1 event in the current analyses"]),
    ],
)
def test_the_dashboard_page_says_one_meeting_and_draws_meaning(language, words, world):
    """One council meeting and one scored event: singular words, whole-number axes, and the
    risk chart in the matrix's colours."""
    from django.urls import reverse

    from naboskap.conftest import client_for
    from naboskap.meetings.tests.factories import make_body, make_meeting
    from naboskap.risk.tests.factories import fill_analysis, make_analysis

    project = world.project
    make_meeting(project, body=make_body(project, members=[]), days=-3)
    fill_analysis(make_analysis(project), 1)
    client = client_for(world.users["coordinator"], language=language)
    response = client.get(reverse("insights:project_dashboard", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in html, word
    for text in re.findall(r'text-anchor="end" fill="#1b1b1b">([^<]*)</text>', html):
        assert re.fullmatch(r"\d+", text), text
    assert "#f6c9c4" in html or "#fbe9a6" in html or "#cde8cf" in html
