"""Staff search (issue 18): one search box across what the user may open.

Each kind of thing is searched within the set of objects its own app says the user may open
in the municipality they work in now; nothing here decides access on its own:

- projects: `projects.selectors.projects_for_user` (`projects.view_project`);
- concerns: `concerns.selectors.concerns_for_user` (`concerns.view_concern`). A reference
  finds a concern for everyone who may open it; the reporter's own words (what happened,
  where) are searched only for those who may read them, the same circle, as the case page
  shows the text to everyone who may open it. Results show the reference, never the text,
  so the search logs no access;
- measures and meetings: of the projects the user reaches (`plans.view_measure`,
  `meetings.view_meetings`);
- persons: `stakeholders.register.selectors.persons_for_user`, and only for those with
  `stakeholders.view_persons`; organisations: the municipality's, for those with
  `stakeholders.view_organisations`.

Matching: the long texts of the big tables (a concern's description and place, a measure's
title and description) are matched on PostgreSQL by full-text search (`TEXT_CONFIG`, each
word as a prefix) through GIN indexes (this app's migration), at most CAP matches counted;
elsewhere (SQLite), and for the names and titles of the small tables (projects, meetings,
persons, organisations) on every database, every word must occur in one of the fields,
whatever the case (`icontains` on PostgreSQL; on SQLite, whose LIKE folds only A–Z, both
sides through Python's `str.casefold`: see `functions`). A reference (`2026-000123`) or a
concern's number (`123`) finds that concern.

Bounded: one query per kind, whatever the number of hits. The number of hits comes with the
first rows (a window count), so a kind costs one statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

import rules
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.selectors import concerns_for_user
from naboskap.lib.errors import DomainError
from naboskap.meetings.models import Meeting
from naboskap.plans.models import Measure
from naboskap.projects.selectors import projects_for_user
from naboskap.search import rules as search_rules  # noqa: F401 (registers search.use_search)
from naboskap.search.functions import Casefold
from naboskap.stakeholders.register.selectors import organisations_in, persons_for_user

MAX_LENGTH = 200  # characters of a query
MAX_WORDS = 10
PER_KIND = 10  # hits shown per kind
# Full-text matches counted per kind at most (on PostgreSQL): beyond it, "at least".
# Kept small, so that the planner fetches them by primary key rather than reading the table.
CAP = 200
# PostgreSQL's text search configuration. The GIN indexes of this app's migration are built
# with it: change both together.
TEXT_CONFIG = "norwegian"
# A concern's reference, typed whole or in part: `2026-000123`, `000123`, `2026-12`.
REFERENCE = re.compile(r"[0-9][0-9\s-]*")
WHOLE_REFERENCE = re.compile(r"[0-9]{4}-[0-9]{6}")  # `services.next_reference`
REFERENCE_YEARS = 10  # a number alone finds that concern number of this and 9 earlier years

CONCERN_TEXT = ("description", "location")
MEASURE_TEXT = ("title", "description")


class QueryError(DomainError):
    """The query cannot be searched (empty or too long); the message says why."""


@dataclass
class Hit:
    title: str
    url: str
    details: list[str] = field(default_factory=list)


@dataclass
class Group:
    key: str
    title: str
    hits: list[Hit]
    total: int
    # The full-text matches stopped at CAP: there may be more than `total`.
    at_least: bool = False

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


@dataclass
class Results:
    query: str
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def empty_groups(self) -> list[Group]:
        """The kinds searched that had no hits."""
        return [group for group in self.groups if not group.hits]


def clean_query(text: str | None) -> str:
    """The query as searched: stripped, one space between words; QueryError when empty or
    longer than MAX_LENGTH."""
    # Control characters (a NUL, say) are nothing to search for, and PostgreSQL refuses them.
    text = " ".join("".join(c if c.isprintable() else " " for c in text or "").split())
    if not text:
        raise QueryError(_("Type what you are looking for."))
    if len(text) > MAX_LENGTH:
        raise QueryError(
            _("The search can be at most %(max)d characters long.") % {"max": MAX_LENGTH}
        )
    return text


def words_of(text: str) -> list[str]:
    return [word.lower() for word in re.findall(r"\w+", text)][:MAX_WORDS]


def _is_postgres(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _contains(name: str, word: str, postgres: bool) -> Q:
    """`name` holds `word`, whatever the case: `icontains` on PostgreSQL (ILIKE folds every
    letter); elsewhere both sides case-folded (SQLite's LIKE folds only A–Z, not æøå)."""
    if postgres:
        return Q(**{f"{name}__icontains": word})
    return Q(Contains(Casefold(name), word.casefold()))


def _words(queryset: QuerySet, fields, words) -> QuerySet:
    """Every word occurs somewhere in one of `fields`, whatever the case."""
    if not words:
        return queryset.none()
    postgres = _is_postgres(queryset)
    return queryset.filter(
        reduce(
            and_,
            (reduce(or_, (_contains(name, w, postgres) for name in fields)) for w in words),
        )
    )


def _full_text(queryset: QuerySet, fields, words) -> QuerySet:
    """The rows of `queryset` whose `fields` hold every word: on PostgreSQL by full-text
    search (each word a prefix, stemmed by TEXT_CONFIG), the newest CAP of them (by id);
    elsewhere as `_words`.

    On PostgreSQL the match is a subquery of its own, with a LIMIT (so the planner keeps it
    apart) and an order no index gives (`id + 0`): the only way left to it is the GIN index
    of this app's migration. Otherwise the planner walks the table in the page's order
    through another index, computing the text vector of every row until it has found enough
    (over a second at 100,000 concerns when a word is rare or absent).
    """
    if not _is_postgres(queryset) or not words:
        return _words(queryset, fields, words)
    # Words are letters and digits only (`words_of`), so the raw query is well formed.
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), config=TEXT_CONFIG, search_type="raw"
    )
    newest = ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField()).desc()
    matching = (
        queryset.alias(search_text=SearchVector(*fields, config=TEXT_CONFIG))
        .filter(search_text=query)
        .order_by(newest)
        .values("pk")[:CAP]
    )
    return queryset.model.objects.filter(pk__in=matching)


def _first(queryset: QuerySet) -> tuple[list, int]:
    """The first PER_KIND rows and how many there are in all, in one statement."""
    rows = list(queryset.annotate(search_total=Window(Count("pk")))[:PER_KIND])
    return rows, (rows[0].search_total if rows else 0)


def _date(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


# The kinds ------------------------------------------------------------------------------------


def _projects(user, municipality, text: str, reachable) -> Group:
    projects = reachable.select_related(None).order_by("name", "pk")
    rows, total = _first(_words(projects, ("name", "address"), words_of(text)))
    hits = [
        Hit(p.name, reverse("projects:detail", args=[p.pk]), [p.address, p.get_phase_display()])
        for p in rows
    ]
    return Group("projects", str(_("Projects")), hits, total)


def _concerns(user, municipality, text: str) -> Group:
    concerns = concerns_for_user(user, municipality)
    ordering = ("-created_at", "-pk")
    if WHOLE_REFERENCE.fullmatch(text):
        concerns = concerns.filter(reference=text)  # the unique index
    elif text.isdigit() and len(text) <= 6:
        # A concern's number: that number of this year or of the years before it.
        year = timezone.localdate().year
        numbers = [f"{y}-{int(text):06d}" for y in range(year, year - REFERENCE_YEARS, -1)]
        concerns = concerns.filter(reference__in=numbers)
    elif REFERENCE.fullmatch(text):
        concerns = concerns.filter(reference__contains=text.replace(" ", ""))
    else:
        concerns = _full_text(concerns, CONCERN_TEXT, words_of(text))
    concerns = concerns.select_related("category", "project").order_by(*ordering)
    rows, total = _first(concerns)
    hits = [
        Hit(
            c.reference,
            c.get_absolute_url(),
            [
                str(c.category),
                c.project.name if c.project else str(_("The area in general")),
                c.get_status_display(),
                _date(c.created_at),
            ],
        )
        for c in rows
    ]
    return Group("concerns", str(_("Concerns")), hits, total, at_least=total >= CAP)


def _measures(user, municipality, text: str, reachable) -> Group:
    measures = Measure.objects.filter(project__in=reachable.values("pk"))
    ordering = ("project__name", "title", "pk")
    measures = _full_text(measures, MEASURE_TEXT, words_of(text))
    measures = measures.select_related("project").order_by(*ordering)
    rows, total = _first(measures)
    hits = [
        Hit(
            m.title,
            reverse("plans:measure_detail", args=[m.project_id, m.pk]),
            [m.project.name, m.get_status_display()],
        )
        for m in rows
    ]
    return Group("measures", str(_("Measures")), hits, total, at_least=total >= CAP)


def _meetings(user, municipality, text: str, reachable) -> Group:
    meetings = Meeting.objects.filter(project__in=reachable.values("pk"))
    meetings = _words(meetings, ("title", "place", "description"), words_of(text))
    meetings = meetings.select_related("project")
    rows, total = _first(meetings.order_by("-starts_at", "-pk"))
    hits = [
        Hit(
            m.title,
            reverse("meetings:meeting_detail", args=[m.project_id, m.pk]),
            [m.project.name, _date(m.starts_at)],
        )
        for m in rows
    ]
    return Group("meetings", str(_("Meetings")), hits, total)


def _persons(user, municipality, text: str) -> Group | None:
    if not rules.has_perm("stakeholders.view_persons", user, municipality):
        return None
    persons = persons_for_user(user, municipality).prefetch_related(None)
    rows, total = _first(_words(persons, ("name", "email"), words_of(text)))
    hits = [
        Hit(
            p.name or p.email,
            reverse("stakeholders:person_detail", args=[p.pk]),
            [p.get_kind_display(), *([p.organisation.name] if p.organisation else [])],
        )
        for p in rows
    ]
    return Group("persons", str(_("Persons")), hits, total)


def _organisations(user, municipality, text: str) -> Group | None:
    if not rules.has_perm("stakeholders.view_organisations", user, municipality):
        return None
    organisations = organisations_in(municipality).prefetch_related(None)
    rows, total = _first(_words(organisations, ("name", "email"), words_of(text)))
    hits = [
        Hit(
            o.name,
            reverse("stakeholders:organisation_detail", args=[o.pk]),
            [o.get_kind_display()],
        )
        for o in rows
    ]
    return Group("organisations", str(_("Organisations")), hits, total)


def search_for(user, municipality, text: str) -> Results:
    """What `user` finds for `text` (a `clean_query`) in `municipality`: a group per kind
    they may search, in a fixed order, each with up to PER_KIND hits and the total."""
    reachable = projects_for_user(user, municipality)
    groups = [
        _projects(user, municipality, text, reachable),
        _concerns(user, municipality, text)
        if rules.has_perm("concerns.use_inbox", user, municipality)
        else None,
        _measures(user, municipality, text, reachable),
        _meetings(user, municipality, text, reachable),
        _persons(user, municipality, text),
        _organisations(user, municipality, text),
    ]
    return Results(query=text, groups=[group for group in groups if group is not None])
