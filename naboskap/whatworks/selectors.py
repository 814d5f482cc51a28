"""What the catalogue of what worked and the suggestions where plans are made read.

Two kinds of item come out of here:

- the municipality's own done measures with an effect: title, project, what they address
  and the figures, for its planners;
- those of the other municipalities of the deployment that share (`Settings.share_across`,
  asked of both sides): the figures and only what was chosen to say nothing about a place or a
  person: the category's code (named as the reader's own category with that code), the
  measure's type and phase, the project's kind and a band for its size. Never a title, a
  project's name, an unwanted event's title or anything else written in free text, which was
  not written to be shared. `_shared_item` builds those from scratch, so a template cannot
  reach more than it was given.

Every read is a fixed number of queries, whatever the number of measures, and the catalogue
is filtered, ordered and paginated in the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import rules
from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.concerns.models import Category, Concern
from naboskap.plans.models import Measure
from naboskap.projects.models import Phase, Project
from naboskap.whatworks import sharing
from naboskap.whatworks.models import Effect, Settings

OWN = "own"
SHARED = "shared"


def size_band(project: Project) -> str:
    band = sharing.size_band(project.dwellings_total)
    return str(band[1]) if band else _("size not given")


@dataclass
class Item:
    """One done measure with its effect, as the catalogue or a suggestion shows it. For a
    shared one (`shared`), `title`, `project_name`, `event_titles` and `url` are empty and
    `measure_pk` is None, and `effect` holds the figures only."""

    effect: Effect
    shared: bool
    categories: list[str]  # the categories' names in the reader's municipality (else codes)
    category_codes: list[str]
    kind: str
    project_kind: str
    size: str
    phase: str
    meanwhile: int  # how many other measures done and phase changes in the same windows
    group: str = ""
    title: str = ""
    project_name: str = ""
    event_titles: list[str] = field(default_factory=list)
    url: str = ""
    measure_pk: int | None = None
    kind_value: str = ""
    # Set by the suggestions: the plan's new measure form, filled in from this one.
    adopt_url: str = ""
    source_note: str = ""


def shares(municipality) -> bool:
    return Settings.for_municipality(municipality.pk).share_across


def _sharing_municipalities(municipality) -> QuerySet:
    """The other municipalities that share (a subquery, not run by itself)."""
    return (
        Settings.objects.filter(share_across=True)
        .exclude(municipality_id=municipality.pk)
        .values("municipality_id")
    )


def _done(effects: QuerySet) -> QuerySet:
    # An effect is deleted by the worker once its measure is no longer done; until then the
    # measure's own status decides.
    return effects.filter(measure__status=Measure.Status.DONE)


def category_labels(municipality) -> dict[str, str]:
    """The reader's municipality's categories, code → name in the current language."""
    return {c.code: c.label for c in Category.objects.filter(municipality=municipality)}


def codes_matching(labels: dict[str, str], text: str) -> set[str]:
    """The codes whose code or name (in the current language) contains `text`."""
    needle = text.casefold()
    return {code for code, label in labels.items() if needle in code or needle in label.casefold()}


def _addresses_any(codes: Iterable[str]) -> Q:
    """Effects that address one of these categories. `category_codes` is a JSON list of slugs
    (letters, digits, hyphens), so its text holds `"code"`, quotes included, exactly when the
    list holds the code: the same on SQLite and PostgreSQL, with no join."""
    found = Q(pk__in=[])
    for code in codes:
        found |= Q(category_codes__icontains=f'"{code}"')
    return found


def catalogue(
    municipality, *, scope: str = OWN, q: str = "", category: str = "", labels: dict[str, str]
) -> QuerySet:
    """The effects of the municipality's own done measures, or (`SHARED`) those of the
    other municipalities that share, when this one shares too: filtered by `category` (a
    code) and by `q` (a measure's title, a category's name or code, an unwanted event's
    title; for shared ones the category only, since their words are not to be searched),
    grouped by the first category they address (else the unwanted event), best evidence
    first within a group (not "too little data", then the lowest upper bound)."""
    if scope == SHARED:
        found = Effect.objects.filter(
            measure__project__municipality__in=_sharing_municipalities(municipality)
        )
    else:
        found = Effect.objects.filter(measure__project__municipality=municipality)
    found = _done(found)
    if category:
        found = found.filter(_addresses_any([category]))
    if q:
        matching = _addresses_any(codes_matching(labels, q))
        if scope != SHARED:
            matching |= Q(measure__title__icontains=q) | Q(
                measure__unwanted_event__title__icontains=q
            )
        found = found.filter(matching)
    order = [KT("category_codes__0").asc(nulls_last=True)]
    if scope != SHARED:
        order.append(KT("event_titles__0").asc(nulls_last=True))
    return found.select_related("measure__project").order_by(
        *order, "too_little_data", F("ratio_high").asc(nulls_last=True), "-done_on", "pk"
    )


def items(
    effects: Iterable[Effect],
    *,
    user,
    municipality,
    labels: dict[str, str],
    category: str = "",
) -> list[Item]:
    """The catalogue's rows for effects loaded with their measure and project: the
    municipality's own in full (with a link where the user may open the measure), the other
    municipalities' anonymised. With a `category` filter, every row is grouped under it."""
    found = []
    for effect in effects:
        measure = effect.measure
        if measure.project.municipality_id == municipality.pk:
            item = _own_item(effect, user=user, labels=labels)
        else:
            item = _shared_item(effect, labels=labels)
        if category:
            item.group = labels.get(category, category)
        found.append(item)
    return found


def _names(codes: list[str], labels: dict[str, str]) -> list[str]:
    return [labels.get(code, code) for code in codes]


def _common(effect: Effect, measure: Measure, labels: dict[str, str]) -> dict:
    project = measure.project
    phase = measure.phase or project.phase
    return {
        "categories": _names(effect.category_codes, labels),
        "category_codes": list(effect.category_codes),
        "kind": measure.get_kind_display() if measure.kind else "",
        "kind_value": measure.kind,
        "project_kind": project.get_kind_display(),
        "size": size_band(project),
        "phase": Phase(phase).label if phase in Phase.values else "",
        "meanwhile": len(effect.meanwhile),
    }


def _own_item(effect: Effect, *, user, labels: dict[str, str]) -> Item:
    measure = effect.measure
    common = _common(effect, measure, labels)
    if common["categories"]:
        group = common["categories"][0]
    elif effect.event_titles:
        group = _("Unwanted event: %(title)s") % {"title": effect.event_titles[0]}
    else:
        group = _("Other")
    can_open = rules.has_perm("plans.view_measure", user, measure)
    return Item(
        effect=effect,
        shared=False,
        group=group,
        title=measure.title,
        project_name=measure.project.name,
        event_titles=list(effect.event_titles),
        url=measure.get_absolute_url() if can_open else "",
        measure_pk=measure.pk,
        **common,
    )


def _shared_item(effect: Effect, *, labels: dict[str, str]) -> Item:
    """Another municipality's measure: its figures and nothing written in words."""
    common = _common(effect, effect.measure, labels)
    return Item(
        effect=Effect(**{name: getattr(effect, name) for name in sharing.FIGURES}),
        shared=True,
        group=common["categories"][0] if common["categories"] else _("No concern category"),
        **common,
    )


# Suggestions where plans are made ---------------------------------------------------------

SUGGESTIONS = 5
# Words of an unwanted event's title that say nothing about what it is.
# (Words shorter than SHORTEST_WORD, such as "og", "på" and "i", never count.)
# fmt: off
STOP_WORDS = frozenset({
    "alle", "andre", "blir", "bli", "dei", "den", "der", "det", "eller", "etter", "for",
    "fra", "før", "har", "hos", "ikke", "ikkje", "inn", "med", "men", "mot", "når", "opp",
    "seg", "som", "til", "ved", "være", "vere", "and", "are", "but", "from", "into", "not",
    "off", "the", "their", "this", "with",
})
# fmt: on
SHORTEST_WORD = 3


def title_words(title: str) -> set[str]:
    """The words of a title that count for "a similar unwanted event": lowercased
    (casefolded), at least three letters long, and not a common little word (og, på, the)."""
    return {
        word
        for word in re.findall(r"\w+", title.casefold())
        if len(word) >= SHORTEST_WORD and word not in STOP_WORDS and not word.isdigit()
    }


def suggestions(
    project,
    *,
    user,
    category_codes: Iterable[str] = (),
    event_title: str = "",
    labels: dict[str, str],
    limit: int = SUGGESTIONS,
) -> list[Item]:
    """Done measures with an effect from the municipality's other projects, and from the
    other municipalities that share when this one does, that address one of these concern
    categories or (of the municipality's own) an unwanted event whose title has a word in
    common with `event_title` (case-insensitive, see `title_words`). Another project's
    unwanted event is never the same one: every revision of an event (its lineage) belongs
    to one project, and this project's measures are left out.

    Best evidence first: an estimate before "too little data", then the lowest upper bound
    of the interval (the surest reduction); a measure after which concerns clearly rose (the
    whole interval above no change) is no suggestion. Three queries at most; the candidates
    are read as plain rows, best first, until there are enough."""
    municipality = project.municipality
    codes = sorted(set(category_codes))
    words = title_words(event_title)
    if not codes and not words:
        return []
    own = Q(measure__project__municipality=municipality)
    matching = _addresses_any(codes)
    if words:
        # Python compares the words: SQLite folds the case of ASCII letters only (STØY).
        matching |= own & Q(measure__unwanted_event__isnull=False)
    scope = own
    if shares(municipality):
        scope |= Q(measure__project__municipality__in=_sharing_municipalities(municipality))
    candidates = (
        _done(Effect.objects.filter(scope & matching))
        .exclude(measure__project=project)
        .exclude(too_little_data=False, ratio_low__gt=1)
        .order_by("too_little_data", F("ratio_high").asc(nulls_last=True), "-done_on", "pk")
        .values_list(
            "pk",
            "category_codes",
            "measure__project__municipality_id",
            "measure__unwanted_event__title",
        )
    )
    chosen = []
    for pk, effect_codes, municipality_pk, title in candidates.iterator():
        similar = municipality_pk == municipality.pk and title_words(title or "") & words
        if set(effect_codes) & set(codes) or similar:
            chosen.append(pk)
            if len(chosen) == limit:
                break
    if not chosen:
        return []
    effects = Effect.objects.filter(pk__in=chosen).select_related("measure__project")
    by_pk = {effect.pk: effect for effect in effects}
    return items(
        [by_pk[pk] for pk in chosen if pk in by_pk],
        user=user,
        municipality=municipality,
        labels=labels,
    )


def project_concern_codes(project, *, since: date) -> list[str]:
    """The categories of the project's concerns since a day, most frequent first: what its
    neighbours worry about, for suggestions on a new measure that says nothing yet."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    rows = (
        Concern.objects.filter(project=project, created_at__gte=start, category__isnull=False)
        .values("category__code")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__code")
    )
    return [row["category__code"] for row in rows[:3]]


def event_concern_codes(event) -> list[str]:
    """The categories of the concerns linked to any revision of an unwanted event."""
    return sorted(
        set(
            Concern.objects.filter(
                unwanted_event__lineage=event.lineage, category__isnull=False
            ).values_list("category__code", flat=True)
        )
    )
