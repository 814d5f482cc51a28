"""The JSON exchange format for routines, so municipalities can share them.

    {
      "format": "naboskap-routine",
      "format_version": 1,
      "routine": {
        "slug": "naborad-ved-botiltak",          # the same for every version
        "name": "Naboråd ved botiltak",
        "description": "…",                        # optional
        "version": 3,                              # informative; an import starts a new draft
        "milestones": [{"key": "sommerfest", "name": "Sommerfest"}],   # optional
        "phases": [
          {"order": 1, "name": "Innkalling", "project_phase": "operation",
           "tasks": [
             {"title": "…", "guidance": "…", "responsible_role": "coordinator",
              "anchor": {"phase": "operation"},      # or {"milestone": "political_hearing"}
              "offset_days": -28}                    # negative: before the anchor
           ]}
        ]
      }
    }

`project_phase` and `anchor.phase` are project phases (`naboskap.projects.models.Phase`),
`responsible_role` a role (`naboskap.tenancy.models.Role`), and `anchor.milestone` a standard
milestone (`Milestone`) or a key from `milestones`. A file with a higher `format_version` than
`FORMAT_VERSION` is refused. Every problem is reported with the path of the bad field
(`routine.phases[2].tasks[0].offset_days`). The rules about how phases follow each other are
in `structure_problems`, which publishing checks as well.

See docs/routine-exchange-format.md.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise

from django.utils.translation import gettext as _

from naboskap.lib.errors import DomainError
from naboskap.projects.models import PHASE_ORDER, Phase
from naboskap.routines.models import MAX_OFFSET_DAYS, Milestone, Routine
from naboskap.tenancy.models import Role

FORMAT = "naboskap-routine"
FORMAT_VERSION = 1
# An upload larger than this is not a routine.
MAX_FILE_BYTES = 1_000_000
KEY_PATTERN = re.compile(r"^[-a-z0-9_]{1,50}$")


class RoutineFormatError(DomainError):
    """The file is not a routine Naboskap can read; `problems` says where and why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


# -- Export -------------------------------------------------------------------------------


def routine_to_data(routine: Routine) -> dict:
    """The routine in the exchange format (phases and tasks in their order)."""
    phases = []
    for phase in routine.phases.prefetch_related("tasks").order_by("order"):
        tasks = [
            {
                "title": task.title,
                "guidance": task.guidance,
                "responsible_role": task.responsible_role,
                "anchor": (
                    {"phase": task.anchor_phase}
                    if task.anchor_phase
                    else {"milestone": task.anchor_milestone}
                ),
                "offset_days": task.offset_days,
            }
            for task in phase.tasks.all()
        ]
        phases.append(
            {
                "order": phase.order,
                "name": phase.name,
                "project_phase": phase.project_phase,
                "tasks": tasks,
            }
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "routine": {
            "slug": routine.slug,
            "name": routine.name,
            "description": routine.description,
            "version": routine.version,
            "milestones": [{"key": m.key, "name": m.name} for m in routine.milestones.all()],
            "phases": phases,
        },
    }


def routine_to_json(routine: Routine) -> str:
    return json.dumps(routine_to_data(routine), ensure_ascii=False, indent=2) + "\n"


# -- Import -------------------------------------------------------------------------------


def parse_json(raw: bytes) -> dict:
    """Read an uploaded file into clean routine data, or raise RoutineFormatError."""
    if len(raw) > MAX_FILE_BYTES:
        raise RoutineFormatError([_("The file is too large to be a routine.")])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise RoutineFormatError(
            [_("The file is not JSON. Choose a file exported from Naboskap.")]
        ) from None
    return parse_data(data)


def parse_data(data) -> dict:
    """Check the shape of exchange data; return the `routine` part, cleaned."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RoutineFormatError(
            [_("This is not a Naboskap routine: the file must have “format”: “%s”.") % FORMAT]
        )
    version = data.get("format_version")
    if not _is_int(version) or version < 1:
        raise RoutineFormatError(
            [_("format_version: must be a whole number from 1, not %s.") % _show(version)]
        )
    if version > FORMAT_VERSION:
        raise RoutineFormatError(
            [
                _(
                    "The file has format version %(found)s, made by a newer Naboskap. This "
                    "version reads format version %(supported)s or older; upgrade Naboskap "
                    "or export the routine again from a version that matches."
                )
                % {"found": version, "supported": FORMAT_VERSION}
            ]
        )
    reader = _Reader()
    routine = reader.routine(data.get("routine"), "routine")
    if reader.problems:
        raise RoutineFormatError(reader.problems)
    problems = structure_problems(routine)
    if problems:
        raise RoutineFormatError(problems)
    return routine


class _Reader:
    """Walks the data, collects one problem per bad field with its path."""

    def __init__(self):
        self.problems: list[str] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def object(self, value, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.bad(path, _("must be an object ({…}), not %s.") % _show(value))
            return None
        return value

    def list(self, value, path: str, *, required: bool = True) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.bad(path, _("must be a list ([…]), not %s.") % _show(value))
            return []
        return value

    def text(self, obj: dict, key: str, path: str, *, max_length: int, required=True) -> str:
        value = obj.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.bad(f"{path}.{key}", _("must be a text that is not empty, not %s.") % _show(value))
            return ""
        if len(value) > max_length:
            self.bad(
                f"{path}.{key}",
                _("must be at most %(max)s characters, not %(length)s.")
                % {"max": max_length, "length": len(value)},
            )
        return value.strip()

    def choice(self, obj: dict, key: str, path: str, choices: list[str]) -> str:
        value = obj.get(key)
        if value not in choices:
            self.bad(
                f"{path}.{key}",
                _("must be one of %(choices)s, not %(value)s.")
                % {"choices": ", ".join(choices), "value": _show(value)},
            )
            return ""
        return value

    def integer(self, obj: dict, key: str, path: str, low: int, high: int) -> int:
        value = obj.get(key)
        if not _is_int(value) or not low <= value <= high:
            self.bad(
                f"{path}.{key}",
                _("must be a whole number from %(low)s to %(high)s, not %(value)s.")
                % {"low": low, "high": high, "value": _show(value)},
            )
            return 0
        return value

    def routine(self, value, path: str) -> dict:
        obj = self.object(value, path) or {}
        slug = obj.get("slug")
        if not isinstance(slug, str) or not KEY_PATTERN.match(slug):
            self.bad(
                f"{path}.slug",
                _("must be lower-case letters, digits and dashes, not %s.") % _show(slug),
            )
        routine = {
            "slug": slug if isinstance(slug, str) else "",
            "name": self.text(obj, "name", path, max_length=150),
            "description": self.text(obj, "description", path, max_length=5000, required=False),
            "milestones": [],
            "phases": [],
        }
        if not obj:
            return routine
        for i, item in enumerate(
            self.list(obj.get("milestones"), f"{path}.milestones", required=False)
        ):
            where = f"{path}.milestones[{i}]"
            milestone = self.object(item, where)
            if milestone is None:
                continue
            key = milestone.get("key")
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                self.bad(
                    f"{where}.key",
                    _("must be lower-case letters, digits and dashes, not %s.") % _show(key),
                )
            routine["milestones"].append(
                {"key": key, "name": self.text(milestone, "name", where, max_length=100)}
            )
        for i, item in enumerate(self.list(obj.get("phases"), f"{path}.phases")):
            phase = self.phase(item, f"{path}.phases[{i}]")
            if phase:
                routine["phases"].append(phase)
        return routine

    def phase(self, value, path: str) -> dict | None:
        obj = self.object(value, path)
        if obj is None:
            return None
        phase = {
            "order": self.integer(obj, "order", path, 1, 1000),
            "name": self.text(obj, "name", path, max_length=150),
            "project_phase": self.choice(obj, "project_phase", path, Phase.values),
            "tasks": [],
        }
        for i, item in enumerate(self.list(obj.get("tasks"), f"{path}.tasks")):
            task = self.task(item, f"{path}.tasks[{i}]")
            if task:
                phase["tasks"].append(task)
        return phase

    def task(self, value, path: str) -> dict | None:
        obj = self.object(value, path)
        if obj is None:
            return None
        task = {
            "title": self.text(obj, "title", path, max_length=200),
            "guidance": self.text(obj, "guidance", path, max_length=5000, required=False),
            "responsible_role": self.choice(obj, "responsible_role", path, Role.values),
            "offset_days": self.integer(
                obj, "offset_days", path, -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS
            ),
            "anchor": {},
        }
        anchor = self.object(obj.get("anchor"), f"{path}.anchor")
        if anchor is not None:
            if set(anchor) == {"phase"}:
                task["anchor"] = {
                    "phase": self.choice(anchor, "phase", f"{path}.anchor", Phase.values)
                }
            elif set(anchor) == {"milestone"} and isinstance(anchor["milestone"], str):
                task["anchor"] = {"milestone": anchor["milestone"]}
            else:
                self.bad(
                    f"{path}.anchor",
                    _("must be either {“phase”: …} or {“milestone”: …}, not %s.") % _show(anchor),
                )
        return task


def structure_problems(routine: dict) -> list[str]:
    """What makes a routine unusable, beyond the shape of its data: no phases, phase order that
    is not 1, 2, 3…, phases that go back to an earlier project phase (a circle), milestones that
    are not defined, deadlines before any project can exist."""
    problems = []
    phases = routine["phases"]
    if not phases:
        return [_("A routine must have at least one phase.")]
    orders = [p["order"] for p in phases]
    if sorted(orders) != list(range(1, len(phases) + 1)):
        problems.append(
            _("The phases must be numbered 1, 2, 3… without gaps or repeats; they are numbered %s.")
            % ", ".join(str(o) for o in orders)
        )
    ordered = sorted(phases, key=lambda p: p["order"])
    for before, after in pairwise(ordered):
        if not (before["project_phase"] and after["project_phase"]):
            continue
        if PHASE_ORDER.index(after["project_phase"]) < PHASE_ORDER.index(before["project_phase"]):
            problems.append(
                _(
                    "Phase %(order)s “%(name)s” belongs to the project phase “%(phase)s”, which "
                    "comes before “%(previous)s” of the phase before it. A routine follows the "
                    "project forward and cannot go back (that would be a circle)."
                )
                % {
                    "order": after["order"],
                    "name": after["name"],
                    "phase": Phase(after["project_phase"]).label,
                    "previous": Phase(before["project_phase"]).label,
                }
            )
    keys = [m["key"] for m in routine["milestones"]]
    if len(set(keys)) != len(keys):
        problems.append(_("Two milestones have the same key."))
    known = set(Milestone.values) | set(keys)
    for phase in ordered:
        for task in phase["tasks"]:
            problem = anchor_problem(
                task["title"], task["anchor"], task["offset_days"], known_milestones=known
            )
            if problem:
                problems.append(problem)
    return problems


def anchor_problem(title: str, anchor: dict, offset_days: int, *, known_milestones) -> str:
    """A task's deadline must count from something that exists, after a project exists."""
    milestone = anchor.get("milestone")
    if milestone is not None and milestone not in known_milestones:
        return _(
            "Task “%(title)s” counts from the milestone “%(milestone)s”, which the routine does "
            "not define."
        ) % {"title": title, "milestone": milestone}
    if anchor.get("phase") == Phase.IDEA and offset_days < 0:
        return _(
            "Task “%(title)s” is due %(days)s days before the idea phase starts, which is before "
            "any project exists. Count from a later phase or use 0 or more days."
        ) % {"title": title, "days": -offset_days}
    return ""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value) -> str:
    """A short, safe rendering of a bad value for a message."""
    text = json.dumps(value, ensure_ascii=False) if value is not None else _("nothing")
    return text if len(text) <= 40 else text[:37] + "…"
