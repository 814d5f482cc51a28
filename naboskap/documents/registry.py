"""The kinds of stored documents, each declared by the app that owns what it shows.

An app declares its kinds in its `documents.py` (found when Django starts, as `rules.py` is)
with `register(Kind(...))`. This app knows none of them: a kind says which model its
documents show, how to render one (in the worker), how cheaply to tell whether a stored
file still shows what the object holds now (its fingerprint), and what the file is called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise


@dataclass(frozen=True)
class Job:
    """One rendering: the object, the document's variant and language (already active), a
    run's parameters for this part, and `progress(done, total)` to report how far it is."""

    obj: Model
    variant: str
    params: dict
    part: int
    parts: int
    progress: Callable[[int, int], None]


def _nothing(*_args) -> str:
    return ""


def _no_language(_obj) -> str | None:
    return None


def _no_project(_obj) -> int | None:
    return None


@dataclass(frozen=True)
class Kind:
    # "<app>.<what>", as stored in Document.kind: never rename one that has stored rows.
    name: str
    model: type[Model]
    # What the document is, for the page that says it is being prepared ("ROS report").
    label: Promise
    # Renders the PDF: called by the worker, in the document's language.
    render: Callable[[Job], bytes]
    # (obj, variant, part) -> the file name the browser saves it as.
    filename: Callable[[Model, str, int], str]
    municipality_id: Callable[[Model], int]
    # The project the document belongs to: a change anywhere in the project rechecks it.
    project_id: Callable[[Model], int | None] = _no_project
    # (obj, variant) -> what the document shows beyond the changes its own app reports
    # through `documents_changed`: data of other apps, the project's name, the day. One or
    # two cheap queries; "" when the app's own reports are all it takes.
    fingerprint: Callable[[Model, str], str] = _nothing
    # A document always in one language (a status report in the one it was made in);
    # otherwise each reader gets it in their own.
    language: Callable[[Model], str | None] = _no_language
    # Rendered when what it shows changes, before anyone asks for it (in the municipality's
    # language; other languages once someone has asked for them).
    ahead: bool = False
    # A run: made once when someone asks (survey codes, a letter run), for that person
    # only, in parts (each with its own `params`, see `services.run_start`) that several
    # workers render side by side, and deleted after `services.RUN_KEPT`.
    run: bool = False


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in _kinds and _kinds[kind.name] != kind:
        raise ValueError(f"A document kind {kind.name!r} is registered already")
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No document kind {name!r}: is its app's documents.py loaded?") from None


def kinds() -> list[Kind]:
    return list(_kinds.values())
