"""The anonymised export of what works, for research (issue 25; docs/what-works-export.md).

One CSV row per done measure with an observed effect: what kind of measure it was, in what
kind of project, and what was counted before and after it. For one municipality (its
administrators download it), or for every municipality that shares (`Settings.share_across`)
for a study across the deployment, such as KS's. The rules, and why:

- Nothing a person typed leaves: no titles, descriptions, unwanted events' titles, names,
  units, addresses or notes, and of the other measures done meanwhile only how many. The
  rows are read with `values()` naming the columns the export needs, so a text field added
  to a model later cannot slip in. `Effect.meanwhile` is read (it holds the other measures'
  titles) and only counted.
- Measures and projects are named by a pseudonym: an HMAC (SHA-256) of the primary key with
  the deployment's SECRET_KEY and a purpose of its own, cut to 16 hex digits. The same in
  every export while the key stays, so a study can follow a measure from one export to the
  next; not the key, and no way back to it without the secret.
- Days are left out: the month a measure was done, and the windows' lengths in days. The
  project's size is a band. Category codes come from Naboskap's shared list only; a code a
  municipality made itself (an administrator typed it) is `local`.
- A survey mean drawn from fewer than `MIN_GROUP_SIZE` responses is left out, as on every
  page of Naboskap. Counts are kept, also small ones: they count concerns, responses and
  members present, say nothing about who, and a study of small projects needs them.
- Within a municipality and month the rows come in the order of their pseudonym, so the
  order tells neither the day nor which measure was made first.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby

from django.utils import timezone
from django.utils.crypto import salted_hmac

from naboskap.concerns.services import DEFAULT_CATEGORIES
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.lib.spreadsheets import csv_cell
from naboskap.plans.models import SOURCE_FIELDS, Measure
from naboskap.projects.models import PhaseChange
from naboskap.whatworks import sharing
from naboskap.whatworks.models import Effect, Settings

# The columns, in order; docs/what-works-export.schema.json describes each one (a test holds
# the two together).
COLUMNS = [
    "measure_id",
    "project_id",
    "municipality_number",
    "project_kind",
    "project_size_band",
    "project_phase_at_done",
    "measure_kind",
    "measure_phase",
    "source_type",
    "category_codes",
    "done_month",
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
    "council_meetings_before",
    "council_meetings_after",
    "council_present_before",
    "council_present_after",
    "other_measures_meanwhile",
    "phase_changed_meanwhile",
]

PSEUDONYM_LENGTH = 16
MEASURE_PURPOSE = "naboskap.whatworks.export.measure"
PROJECT_PURPOSE = "naboskap.whatworks.export.project"
SHARED_CODES = frozenset(code for code, *_rest in DEFAULT_CATEGORIES)
LOCAL_CODE = "local"
OWN_SOURCE = "own"
RATIO_DECIMALS = 4
SURVEY_DECIMALS = 3

# What is read of each effect, its measure and its project: nothing else.
_FIELDS = [
    *sharing.FIGURES,
    *sharing.COUNCIL_FIGURES,
    "meanwhile",
    "category_codes",
    "measure_id",
    "measure__kind",
    "measure__phase",
    *(f"measure__{name}" for name in SOURCE_FIELDS),
    "measure__project_id",
    "measure__project__kind",
    "measure__project__dwellings_with_tenancy",
    "measure__project__dwellings_temporary",
    "measure__project__dwellings_emergency",
    "measure__project__municipality__number",
]


def pseudonym(purpose: str, pk: int) -> str:
    """A stable stand-in for a primary key: HMAC-SHA256 with SECRET_KEY, 16 hex digits."""
    return salted_hmac(purpose, str(pk), algorithm="sha256").hexdigest()[:PSEUDONYM_LENGTH]


def shared_municipality_ids() -> list[int]:
    """The municipalities that share what worked with the rest of the deployment."""
    return list(
        Settings.objects.filter(share_across=True)
        .order_by("municipality_id")
        .values_list("municipality_id", flat=True)
    )


def rows(*, municipality_ids: Iterable[int]) -> Iterator[list]:
    """The header, then one row per done measure with an effect in these municipalities,
    by municipality number and month. Reads the effects in chunks: a deployment's worth
    never sits in memory at once (one month of one municipality at most)."""
    ids = list(municipality_ids)
    yield list(COLUMNS)
    phases = _PhaseHistory(ids)
    effects = (
        Effect.objects.filter(
            measure__project__municipality_id__in=ids,
            measure__status=Measure.Status.DONE,
            measure__done_on__isnull=False,
        )
        .order_by("measure__project__municipality__number", "done_on", "pk")
        .values(*_FIELDS)
        .iterator(chunk_size=2000)
    )
    for _key, group in groupby(effects, key=_municipality_month):
        made = [_row(effect, phases) for effect in group]
        yield from sorted(made, key=lambda row: row[0])


def csv_lines(*, municipality_ids: Iterable[int]) -> Iterator[str]:
    """The export as CSV text, one line at a time (for a streaming response or a file):
    RFC 4180, comma-separated, CRLF, no byte order mark; empty for nothing."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    for row in rows(municipality_ids=municipality_ids):
        yield writer.writerow([csv_cell(_text(value)) for value in row])


class _Line:
    """A file for `csv.writer` that hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def _municipality_month(effect: dict) -> tuple[str, int, int]:
    done = effect["done_on"]
    return effect["measure__project__municipality__number"], done.year, done.month


def _row(effect: dict, phases: _PhaseHistory) -> list:
    project_id = effect["measure__project_id"]
    before = effect["survey_responses_before"]
    after = effect["survey_responses_after"]
    survey_change = before >= MIN_GROUP_SIZE and after >= MIN_GROUP_SIZE
    meanwhile = effect["meanwhile"] or []
    return [
        pseudonym(MEASURE_PURPOSE, effect["measure_id"]),
        pseudonym(PROJECT_PURPOSE, project_id),
        effect["measure__project__municipality__number"],
        effect["measure__project__kind"],
        size_band(
            effect["measure__project__dwellings_with_tenancy"]
            + effect["measure__project__dwellings_temporary"]
            + effect["measure__project__dwellings_emergency"]
        ),
        phases.at(project_id, effect["done_on"]),
        effect["measure__kind"] or None,
        effect["measure__phase"] or None,
        next((name for name in SOURCE_FIELDS if effect[f"measure__{name}"]), OWN_SOURCE),
        ";".join(shared_codes(effect["category_codes"] or [])) or None,
        f"{effect['done_on']:%Y-%m}",
        effect["window_days"],
        effect["after_days"],
        effect["concerns_before"],
        effect["concerns_after"],
        _round(effect["ratio"], RATIO_DECIMALS),
        _round(effect["ratio_low"], RATIO_DECIMALS),
        _round(effect["ratio_high"], RATIO_DECIMALS),
        effect["too_little_data"],
        _round(effect["survey_before"], SURVEY_DECIMALS) if before >= MIN_GROUP_SIZE else None,
        _round(effect["survey_after"], SURVEY_DECIMALS) if after >= MIN_GROUP_SIZE else None,
        before,
        after,
        _round(effect["survey_change_low"], SURVEY_DECIMALS) if survey_change else None,
        _round(effect["survey_change_high"], SURVEY_DECIMALS) if survey_change else None,
        effect["council_meetings_before"],
        effect["council_meetings_after"],
        effect["council_present_before"],
        effect["council_present_after"],
        sum(1 for item in meanwhile if item.get("kind") == "measure"),
        any(item.get("kind") == "phase" for item in meanwhile),
    ]


def size_band(dwellings: int) -> str | None:
    """The band of a project's number of dwellings ("6-15"), or None when none are recorded."""
    band = sharing.size_band(dwellings)
    return band[0] if band else None


def shared_codes(codes: Iterable[str]) -> list[str]:
    """Category codes from Naboskap's shared list as they are, any other as `local`."""
    return sorted({code if code in SHARED_CODES else LOCAL_CODE for code in codes})


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def _text(value):
    """Booleans as the export's true/false; the rest goes to `csv_cell` as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class _PhaseHistory:
    """The projects' phases over time, read once: what phase a project was in on a day."""

    def __init__(self, municipality_ids: list[int]) -> None:
        self._changes: dict[int, list[tuple[date, str]]] = defaultdict(list)
        changes = (
            PhaseChange.objects.filter(project__municipality_id__in=municipality_ids)
            .order_by("changed_at", "pk")
            .values_list("project_id", "changed_at", "to_phase")
        )
        for project_id, changed_at, phase in changes.iterator(chunk_size=5000):
            self._changes[project_id].append((timezone.localdate(changed_at), phase))

    def at(self, project_id: int, day: date) -> str | None:
        """The phase the project was in at the end of `day`; None before its first entry."""
        changes = self._changes.get(project_id, [])
        found = bisect_right(changes, day, key=lambda change: change[0])
        return changes[found - 1][1] if found else None
