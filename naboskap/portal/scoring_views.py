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

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from naboskap.lib.http import form_status, posted
from naboskap.portal.views import current_municipality, public_endpoint, public_read
from naboskap.risk import selectors, services
from naboskap.risk.forms import VoteForm
from naboskap.risk.models import RoundEvent, ScoringRound, Vote

DEVICE_COOKIE = "naboskap_enhet"
DEVICE_SALT = "naboskap.risk.device"
DEVICE_MAX_AGE = 60 * 60 * 24 * 7
CODE = re.compile(r"[A-Za-z0-9]{4,12}")


def VOTE_RATE(group, request) -> str:
    return settings.PUBLIC_VOTE_RATE


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


@never_cache
@public_read
def scoring_join(request: HttpRequest, code: str) -> HttpResponse:
    """The round's events, with which this device has scored."""
    scoring_round = get_round(request, code)
    if not scoring_round.is_open:
        return closed(request, scoring_round)
    device = device_id(request)
    items = list(
        RoundEvent.objects.filter(round=scoring_round)
        .select_related("event")
        .order_by("event__number")
    )
    voted = set()
    if device is not None:
        voted = set(
            Vote.objects.filter(
                round=scoring_round, device=services.device_key(device)
            ).values_list("event_id", flat=True)
        )
    context = {
        "round": scoring_round,
        "events": [(item.event, item.event_id in voted) for item in items],
        "done": len(voted) == len(items),
    }
    return with_device(request, render(request, "portal/scoring/join.html", context), device)


def scoring_vote(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Score one event. GET shows this device's earlier vote, if any."""
    scoring_round = get_round(request, code)
    if not scoring_round.is_open:
        return closed(request, scoring_round)
    item = (
        RoundEvent.objects.filter(round=scoring_round, event__number=number)
        .select_related("event")
        .first()
    )
    if item is None:
        raise Http404
    event = item.event
    scale = selectors.load_scale(scoring_round.analysis.scale_version)
    device = device_id(request)
    key = services.device_key(device) if device else None
    earlier = (
        Vote.objects.filter(round=scoring_round, event=event, device=key).first() if key else None
    )
    initial = {}
    if earlier is not None:
        initial = {"probability": earlier.probability}
        initial.update({f"c_{k}": v for k, v in earlier.consequences.items()})
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
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if replaced:
                    messages.success(request, _("Your vote was changed. Only the last one counts."))
                else:
                    messages.success(request, _("Thank you, your vote was counted."))
                return redirect(next_url(scoring_round, event, key))
    context = {
        "round": scoring_round,
        "event": event,
        "form": form,
        "earlier": earlier,
        "scale": scale,
    }
    response = render(request, "portal/scoring/vote.html", context, status=form_status(form))
    return with_device(request, response, device)


def next_url(scoring_round: ScoringRound, event, key: str) -> str:
    """The next event this device has not scored, else the round's page."""
    voted = Vote.objects.filter(round=scoring_round, device=key).values("event_id")
    following = (
        RoundEvent.objects.filter(round=scoring_round)
        .exclude(event_id__in=voted)
        .select_related("event")
        .order_by("event__number")
    )
    later = next((i for i in following if i.event.number > event.number), None) or next(
        iter(following), None
    )
    if later is None:
        return reverse("portal:scoring_join", args=[scoring_round.code])
    return reverse("portal:scoring_vote", args=[scoring_round.code, later.event.number])


scoring_vote = never_cache(
    public_endpoint(
        ratelimit(group="portal.scoring_vote", key="ip", rate=VOTE_RATE, method="POST", block=True)(
            scoring_vote
        )
    )
)
