"""One way to show a state: a Designsystemet colour, a shape mark and a word.

Every status badge on every page comes from the tables here, through the template tags in
`naboskap/tenancy/templatetags/status_badges.py`, so a word has the same colour wherever it
appears ("Cancelled" is grey for a concern, a measure and a meeting alike). The mark is a
shape beside the word, so that colour is never the only cue (WCAG 1.4.1).

The colours mean:

- ``info``: open, new, upcoming or under way; the normal life of a case.
- ``warning``: waiting for someone (the reporter, a reviewer, a moderator) or needing a
  follow-up.
- ``danger``: something is wrong: overdue, over budget, to be re-assessed.
- ``success``: finished well: done, answered, approved, published. Never an open state.
- ``neutral``: no longer active: cancelled, superseded, retired, not relevant, held.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

INFO, WARNING, DANGER, SUCCESS, NEUTRAL = "info", "warning", "danger", "success", "neutral"
COLOURS = (INFO, WARNING, DANGER, SUCCESS, NEUTRAL)

# Marks by meaning, shared by every kind of object.
NEW = "●"
STARTED = "◔"
UNDER_WAY = "◑"
WAITING = "⏸"
DONE = "✓"
ANSWERED = "✉"
STOPPED = "✕"
ENDED = "■"
PROBLEM = "⚠"
PLANNED = "○"
DRAFT = "✎"


@dataclass(frozen=True)
class Style:
    colour: str
    mark: str = ""


# (app_label.model_name.field) -> {value: Style}. The word is the field's choice label.
STATUS: dict[str, dict[str, Style]] = {
    "concerns.concern.status": {
        "received": Style(INFO, NEW),
        "acknowledged": Style(INFO, STARTED),
        "in_progress": Style(INFO, UNDER_WAY),
        "waiting": Style(WARNING, WAITING),
        "answered": Style(SUCCESS, ANSWERED),
        "closed": Style(SUCCESS, ENDED),
        "cancelled": Style(NEUTRAL, STOPPED),
    },
    "plans.measure.status": {
        "planned": Style(INFO, PLANNED),
        "in_progress": Style(INFO, UNDER_WAY),
        "done": Style(SUCCESS, DONE),
        "cancelled": Style(NEUTRAL, STOPPED),
    },
    "plans.input.moderation": {
        "pending": Style(WARNING, WAITING),
        "published": Style(SUCCESS, DONE),
        "hidden": Style(NEUTRAL, STOPPED),
    },
    "plans.input.decision": {
        "under_consideration": Style(INFO, UNDER_WAY),
        "adopted": Style(SUCCESS, DONE),
        "partly_adopted": Style(SUCCESS, "◐"),
        "not_adopted": Style(NEUTRAL, STOPPED),
    },
    "meetings.minutes.status": {
        "draft": Style(INFO, DRAFT),
        "comments": Style(WARNING, WAITING),
        "approved": Style(SUCCESS, DONE),
    },
    # A meeting has no status field: its state is worked out by `meeting_state`.
    "meetings.meeting.state": {
        "upcoming": Style(INFO, PLANNED),
        "held": Style(NEUTRAL, ENDED),
        "cancelled": Style(NEUTRAL, STOPPED),
    },
    "risk.analysis.status": {
        "draft": Style(INFO, DRAFT),
        "review": Style(WARNING, WAITING),
        "approved": Style(SUCCESS, DONE),
        "superseded": Style(NEUTRAL, ENDED),
    },
    "routines.routine.status": {
        "draft": Style(INFO, DRAFT),
        "published": Style(SUCCESS, DONE),
        "retired": Style(NEUTRAL, ENDED),
    },
    "routines.projecttask.status": {
        "open": Style(INFO, PLANNED),
        "done": Style(SUCCESS, DONE),
        "not_relevant": Style(NEUTRAL, STOPPED),
    },
    "facility.incident.status": {
        "open": Style(INFO, PLANNED),
        "followed_up": Style(INFO, UNDER_WAY),
        "closed": Style(SUCCESS, DONE),
    },
    "scheduling.jobrun.status": {
        "queued": Style(INFO, PLANNED),
        "running": Style(INFO, UNDER_WAY),
        "done": Style(SUCCESS, DONE),
        "failed": Style(DANGER, PROBLEM),
    },
    "archive.registration.status": {
        "waiting": Style(INFO, PLANNED),
        "sent": Style(INFO, UNDER_WAY),
        "archived": Style(SUCCESS, DONE),
        "failed": Style(DANGER, PROBLEM),
    },
}

# Labels of the worked-out states (those without a model field of their own).
STATE_LABELS: dict[str, dict[str, Promise]] = {
    "meetings.meeting.state": {
        "upcoming": pgettext_lazy("meeting state", "Upcoming"),
        "held": pgettext_lazy("meeting state", "Held"),
        "cancelled": pgettext_lazy("meeting state", "Cancelled"),
    },
}

# States that are not a model's status field but a flag beside it: (style, word).
FLAGS: dict[str, tuple[Style, Promise]] = {
    "overdue": (Style(DANGER, PROBLEM), _("Overdue")),
    "late": (Style(WARNING, PROBLEM), _("Late")),
    "reassess": (Style(DANGER, PROBLEM), _("Re-assess")),
    "over_budget": (Style(DANGER, PROBLEM), _("Over budget")),
    "cancelled": (Style(NEUTRAL, STOPPED), pgettext_lazy("meeting state", "Cancelled")),
    "ended": (Style(NEUTRAL, ENDED), _("Ended")),
    "retired": (Style(NEUTRAL, ENDED), _("Retired")),
    "nothing_recorded": (Style(NEUTRAL), _("Nothing recorded")),
    "public": (Style(INFO), _("Public")),
    "not_public": (Style(NEUTRAL), _("Not public")),
    "members_only": (Style(NEUTRAL), _("Members only")),
    "under_way": (Style(INFO, UNDER_WAY), _("Under way")),
    "draft": (Style(INFO, DRAFT), _("Draft")),
    "needs_follow_up": (Style(WARNING, WAITING), _("Needs follow-up")),
    "new_from_reporter": (Style(WARNING, DRAFT), _("New from the reporter")),
    "bounced": (Style(WARNING, PROBLEM), _("Bounced – send a letter")),
    "expired": (Style(WARNING, ENDED), _("Expired")),
    "not_set_up": (Style(WARNING, PLANNED), _("Not set up")),
    "not_signed": (Style(WARNING, WAITING), _("Not signed by both parties")),
    "set_up": (Style(SUCCESS, DONE), _("Set up")),
    "signed": (Style(SUCCESS, DONE), _("Signed by both parties")),
    "settled": (Style(SUCCESS, DONE), _("Settled")),
    "scored": (Style(SUCCESS, DONE), _("Scored")),
    "healthy": (Style(SUCCESS, DONE), _("Healthy")),
    "all_calm": (Style(SUCCESS, DONE), _("All calm")),
}

# Whatever has no entry: grey, no mark, the value as it is.
FALLBACK = Style(NEUTRAL)


def style(kind: str, value: str) -> Style:
    """The style of `value` of `kind` ("app.model.field"); grey for anything unknown."""
    return STATUS.get(kind, {}).get(str(value), FALLBACK)


def meeting_state(meeting, now) -> str:
    """ "cancelled", "held" (it has ended) or "upcoming"."""
    if meeting.cancelled_at is not None:
        return "cancelled"
    return "held" if meeting.ends_at < now else "upcoming"


def badge(obj, field: str = "status", *, now=None) -> dict:
    """The context of one badge for a model instance's `field` (its choice label as word)."""
    model = f"{obj._meta.app_label}.{obj._meta.model_name}"
    kind = f"{model}.{field}"
    if model == "meetings.meeting":
        kind = "meetings.meeting.state"
        value = meeting_state(obj, now or timezone.now())
        label = STATE_LABELS[kind][value]
    else:
        value = getattr(obj, field)
        label = getattr(obj, f"get_{field}_display")()
    return state(kind, value, label)


def state(kind: str, value: str, label) -> dict:
    chosen = style(kind, value)
    return {
        "kind": kind,
        "value": value,
        "colour": chosen.colour,
        "mark": chosen.mark,
        "label": label,
    }


def flag(name: str, label=None) -> dict:
    """The context of a flag badge; `label` replaces the word (e.g. "Retired 1.2.2026")."""
    chosen, word = FLAGS[name]
    return {
        "kind": "flag",
        "value": name,
        "colour": chosen.colour,
        "mark": chosen.mark,
        "label": word if label is None else label,
    }
