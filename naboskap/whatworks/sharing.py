"""What of a measure's effect may leave its municipality: the figures (never words), and
the project's size in bands, for the catalogue's other municipalities and for the research
export alike. An exact number of dwellings could name the place."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# The effect's figures that others may see: counts, ratios, intervals, means.
FIGURES = [
    "done_on",
    "window_days",
    "after_days",
    "concerns_before",
    "concerns_after",
    "ratio",
    "ratio_low",
    "ratio_high",
    "too_little_data",
    "survey_before",
    "survey_after",
    "survey_responses_before",
    "survey_responses_after",
    "survey_change_low",
    "survey_change_high",
]
COUNCIL_FIGURES = [
    "council_meetings_before",
    "council_meetings_after",
    "council_present_before",
    "council_present_after",
]

# Dwellings of all kinds (with a tenancy, temporary, emergency): lowest, highest (None: no
# limit), the band's code in the export, its words on a page.
SIZE_BANDS = [
    (1, 5, "1-5", gettext_lazy("1–5 dwellings")),
    (6, 15, "6-15", gettext_lazy("6–15 dwellings")),
    (16, 30, "16-30", gettext_lazy("16–30 dwellings")),
    (31, None, "31+", gettext_lazy("more than 30 dwellings")),
]


def size_band(dwellings: int):
    """The band of a number of dwellings, as (code, words), or None when none are recorded."""
    for lowest, highest, code, label in SIZE_BANDS:
        if dwellings >= lowest and (highest is None or dwellings <= highest):
            return code, label
    return None
