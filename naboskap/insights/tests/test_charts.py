"""naboskap/lib/charts.py: accessible SVG without inline styles or scripts, the data as a
table, a summary sentence, and a message instead of an empty chart."""

import re

import pytest
from django.utils import translation

from naboskap.lib.charts import bar_chart, format_value, line_chart


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_bar_chart_is_an_accessible_figure_with_its_data():
    html = bar_chart(
        title="Concerns",
        labels=["Jan", "Feb"],
        series=[("Noise", [3, 1]), ("Waste", [0, 2])],
        label_header="Month",
    )
    assert html.startswith("<figure")
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1)
    described = re.search(r'aria-describedby="([^"]+)"', svg).group(1).split()
    for element_id in [labelled, *described]:
        assert f'id="{element_id}"' in html
    assert "<title" in html and "<desc" in html
    assert "style=" not in html and "<style" not in html and "<script" not in html
    # Summary written from the data; the table has every value.
    assert "Noise: 4 in all, most in Jan (3)." in html
    assert '<th scope="row">Feb</th><td class="number">1</td><td class="number">2</td>' in html
    assert html.count("<rect") == 3 + 2  # three bars (a zero draws nothing), two legend swatches


def test_stacked_bars_scale_to_the_sum():
    html = bar_chart(title="T", labels=["a"], series=[("x", [6]), ("y", [4])], stacked=True)
    assert ">10</text>" in html  # the top tick is the stacked total


def test_an_empty_chart_says_so():
    html = bar_chart(
        title="Concerns per month",
        labels=["Jan"],
        series=[("Noise", [0])],
        empty_message="No concerns in this period.",
    )
    assert "No concerns in this period." in html
    assert "<svg" not in html
    assert "No data in this period." in line_chart(title="Trend", labels=[], series=[])


def test_line_chart_leaves_gaps_and_keeps_a_fixed_scale():
    html = line_chart(
        title="Trend",
        labels=["2024", "2025", "2026"],
        series=[("Safe", [3.5, None, 4.0])],
        y_min=1,
        y_max=5,
    )
    assert html.count("<polyline") == 2  # the gap splits the line
    assert "Safe: from 3.5 in 2024 to 4.0 in 2026." in html
    assert ">5</text>" in html and ">1</text>" in html
    assert '<td class="number">–</td>' in html


def test_coordinates_keep_a_dot_in_norwegian():
    with translation.override("nb"):
        html = line_chart(title="T", labels=["a", "b"], series=[("s", [1.25, 2.5])])
        assert format_value(2.5, decimals=1) == "2,5"
    points = re.search(r'points="([^"]+)"', html).group(1)
    assert "," in points and re.fullmatch(r"[\d.]+,[\d.]+ [\d.]+,[\d.]+", points)
