"""Live scoring from a phone: a participant in the meeting opens `/ros/<code>/` (from the QR
code in the room) and scores the round's events anonymously, without an account.

A random device id lives in a signed cookie; votes store only a keyed hash of it, so one
device has one vote per event, and a second vote replaces the first (people change their
mind while the room talks). Voting is rate-limited per address on top of the public limit,
with a limit of its own: a meeting room often shares one address.
"""

from __future__ import annotations

import re
import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from naboskap.lib.errors import show_error
from naboskap.lib.http import form_status, posted
from naboskap.lib.ratelimits import vote_rate
from naboskap.portal.views import current_municipality, public_endpoint, public_read
from naboskap.risk import selectors, services
from naboskap.risk.forms import DONT_KNOW, VoteForm
from naboskap.risk.models import RoundEvent, ScoringRound, Vote

DEVICE_COOKIE = "naboskap_enhet"
DEVICE_SALT = "naboskap.risk.device"
DEVICE_MAX_AGE = 60 * 60 * 24 * 7
CODE = re.compile(r"[A-Za-z0-9]{4,12}")


def get_round(request: HttpRequest, code: str) -> ScoringRound:
    """The round with this code in the request's municipality, or 404."""
    if not CODE.fullmatch(code):
        raise Http404
    scoring_round = (
        ScoringRound.objects.select_related("analysis__project", "analysis__scale_version")
        .filter(code=code.upper(), analysis__project__municipality=current_municipality(request))
        .first()
    )
    if scoring_round is None:
        raise Http404
    return scoring_round


def device_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    return value if value and len(value) <= 64 else None


def with_device(request: HttpRequest, response: HttpResponse, device: str | None):
    """Give a device without an id one, so its votes can be told apart."""
    if device is None:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(18),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def closed(request: HttpRequest, scoring_round: ScoringRound) -> HttpResponse:
    return render(request, "portal/scoring/closed.html", {"round": scoring_round}, status=410)


def round_items(scoring_round: ScoringRound) -> list[RoundEvent]:
    """The round's events in the order a phone goes through them."""
    return list(
        RoundEvent.objects.filter(round=scoring_round)
        .select_related("event")
        .order_by("event__number")
    )


def own_votes(scoring_round: ScoringRound, key: str | None) -> dict:
    """This device's votes in the round, by event id."""
    if key is None:
        return {}
    return {v.event_id: v for v in Vote.objects.filter(round=scoring_round, device=key)}


@never_cache
@public_read
def scoring_join(request: HttpRequest, code: str) -> HttpResponse:
    """Where the QR code leads: what the round is, and a button to start (or go on)."""
    scoring_round = get_round(request, code)
    if not scoring_round.is_open:
        return closed(request, scoring_round)
    device = device_id(request)
    items = round_items(scoring_round)
    voted = own_votes(scoring_round, services.device_key(device) if device else None)
    following = next((i for i in items if i.event_id not in voted), None)
    context = {
        "round": scoring_round,
        "events": [(item.event, item.event_id in voted) for item in items],
        "total": len(items),
        "scored": len(voted),
        "start": following or (items[0] if items else None),
        "done": bool(items) and following is None,
    }
    return with_device(request, render(request, "portal/scoring/join.html", context), device)


@never_cache
@public_read
def scoring_summary(request: HttpRequest, code: str) -> HttpResponse:
    """This device's own votes, event by event, each with a link to change it."""
    scoring_round = get_round(request, code)
    if not scoring_round.is_open:
        return closed(request, scoring_round)
    device = device_id(request)
    items = round_items(scoring_round)
    voted = own_votes(scoring_round, services.device_key(device) if device else None)
    scale = selectors.load_scale(scoring_round.analysis.scale_version)
    rows = [{"event": item.event, "vote": voted.get(item.event_id)} for item in items]
    for row in rows:
        row["answers"] = vote_answers(scale, row["vote"]) if row["vote"] else []
    context = {
        "round": scoring_round,
        "rows": rows,
        "total": len(items),
        "scored": len(voted),
        "missing": [row["event"] for row in rows if row["vote"] is None],
    }
    response = render(request, "portal/scoring/summary.html", context)
    return with_device(request, response, device)


def vote_answers(scale, vote: Vote) -> list[tuple[str, str]]:
    """A vote as (what was scored, the answer) pairs, "don't know" written out."""

    def answer(levels, value) -> str:
        for level in levels:
            if level.value == value:
                return f"{level.value} {level.name}"
        return _("Don't know")

    answers = [(_("Probability"), answer(scale.probability_levels, vote.probability))]
    for dimension in scale.dimensions:
        level = vote.consequences.get(dimension.key)
        answers.append((dimension.name, answer(dimension.levels.all(), level)))
    return answers


# A blank vote form's fields, rendered once per scale version and language: a round's scale
# version is frozen (it never changes once an analysis uses it), and rendering the thirty-odd
# radios is most of a vote page's time while a whole room is voting (BENCH live_round).
_BLANK_FIELDS: dict[tuple, str] = {}


def blank_fields(form: VoteForm, version) -> str | None:
    """The form's fields as HTML when it is blank and its scale version frozen, else None."""
    if form.is_bound or form.initial or version.frozen_at is None:
        return None
    key = (version.pk, version.frozen_at, get_language())
    html = _BLANK_FIELDS.get(key)
    if html is None:
        html = mark_safe("".join(field.as_field_group() for field in form))
        if len(_BLANK_FIELDS) >= 64:
            _BLANK_FIELDS.clear()
        _BLANK_FIELDS[key] = html
    return html


def scoring_vote(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Score one event, one screen per event. GET shows this device's earlier vote, if any;
    a vote goes on to the next event, after the last to the summary of one's own votes."""
    scoring_round = get_round(request, code)
    if not scoring_round.is_open:
        return closed(request, scoring_round)
    items = round_items(scoring_round)
    position = next((i for i, item in enumerate(items) if item.event.number == number), None)
    if position is None:
        raise Http404
    event = items[position].event
    scale = selectors.load_scale(scoring_round.analysis.scale_version)
    device = device_id(request)
    key = services.device_key(device) if device else None
    earlier = (
        Vote.objects.filter(round=scoring_round, event=event, device=key).first() if key else None
    )
    initial = {}
    if earlier is not None:
        initial = {"probability": earlier.probability or DONT_KNOW}
        initial.update(
            {f"c_{d.key}": earlier.consequences.get(d.key) or DONT_KNOW for d in scale.dimensions}
        )
    from_summary = request.GET.get("fra") == "oppsummering"
    form = VoteForm(posted(request), scale=scale, initial=initial)
    if request.method == "POST" and form.is_valid():
        if key is None:
            form.add_error(
                None,
                _(
                    "Your browser did not keep our cookie, so we cannot tell your vote from "
                    "others'. Allow cookies for this site and open the round's page again."
                ),
            )
        else:
            try:
                _vote, replaced = services.vote_cast(
                    scoring_round=scoring_round,
                    event=event,
                    device=key,
                    probability=form.cleaned_data["probability"],
                    consequences=form.consequences(),
                )
            except services.RiskError as exc:
                if not ScoringRound.objects.filter(
                    pk=scoring_round.pk, closed_at__isnull=True
                ).exists():
                    return closed(request, scoring_round)
                show_error(request, exc, form)
            else:
                if replaced:
                    messages.success(request, _("Your vote was changed. Only the last one counts."))
                else:
                    messages.success(request, _("Thank you, your vote was counted."))
                following = None if from_summary else items[position + 1 : position + 2]
                if following:
                    return redirect(
                        "portal:scoring_vote", scoring_round.code, following[0].event.number
                    )
                return redirect("portal:scoring_summary", scoring_round.code)
    context = {
        "round": scoring_round,
        "event": event,
        "form": form,
        "earlier": earlier,
        "scale": scale,
        "position": position + 1,
        "total": len(items),
        "previous": items[position - 1].event if position > 0 else None,
        "next": items[position + 1].event if position + 1 < len(items) else None,
        "from_summary": from_summary,
        "fields_html": blank_fields(form, scale.version),
    }
    response = render(request, "portal/scoring/vote.html", context, status=form_status(form))
    return with_device(request, response, device)


scoring_vote = never_cache(
    public_endpoint(
        ratelimit(group="portal.scoring_vote", key="ip", rate=vote_rate, method="POST", block=True)(
            scoring_vote
        )
    )
)
