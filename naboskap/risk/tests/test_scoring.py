"""Live scoring in the meeting: the coordinator opens a round, participants score from their
phones (anonymous, one vote per device per event), the room sees count, median and spread,
and the coordinator closes the round and settles the values. Through HTTP."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from naboskap.conftest import english
from naboskap.risk import services
from naboskap.risk.models import ConsequenceScore, ScoringRound, UnwantedEvent, Vote
from naboskap.risk.tests.factories import fill_analysis, make_analysis, score


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()  # the vote limit counts per address in the cache
    yield
    cache.clear()


@pytest.fixture
def analysis(world):
    analysis = make_analysis(world.project, by=world.users["coordinator"])
    services.event_create(analysis=analysis, title="Støy fra uteområdet om natta")
    services.event_create(analysis=analysis, title="Hærverk på sykkelboder")
    return analysis


def open_round(analysis, client) -> ScoringRound:
    url = reverse("risk:round_create", args=[analysis.project_id, analysis.pk])
    events = [str(pk) for pk in analysis.events.values_list("pk", flat=True)]
    response = client.post(url, {"events": events})
    assert response.status_code == 302
    return ScoringRound.objects.get(analysis=analysis)


def phone() -> Client:
    """A participant's phone: an anonymous visitor reading English."""
    return english()


def vote_data(probability="3", **levels):
    data = {"probability": probability}
    for key in ("liv_helse", "trygghet", "materielle", "tillit"):
        data[f"c_{key}"] = str(levels.get(key, 2))
    data["c_natur_miljo"] = ""
    return data


def cast(client, scoring_round, number, data):
    client.get(reverse("portal:scoring_join", args=[scoring_round.code]))  # the device cookie
    return client.post(reverse("portal:scoring_vote", args=[scoring_round.code, number]), data)


def results(en, scoring_round) -> str:
    url = reverse(
        "risk:round_results",
        args=[scoring_round.analysis.project_id, scoring_round.analysis_id, scoring_round.pk],
    )
    response = en["coordinator"].get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_room_sees_only_the_count_until_three_have_voted(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    room = en["coordinator"].get(scoring_round.get_absolute_url()).content.decode()
    assert f"/ros/{scoring_round.code}/" in room  # the short address, written out
    assert '<svg role="img"' in room and "QR code for scoring round" in room
    assert "django_htmx/htmx-2.min.js" in room and 'hx-trigger="every 3s"' in room
    analysis_page = en["coordinator"].get(analysis.get_absolute_url()).content.decode()
    assert f"Scoring round {scoring_round.code} is open" in analysis_page
    for probability in ("2", "4"):
        response = cast(phone(), scoring_round, 1, vote_data(probability, trygghet=3))
        assert response.status_code == 302
    html = results(en, scoring_round)
    assert "2 have voted" in html
    assert "Median</th>" not in html
    cast(phone(), scoring_round, 1, vote_data("4", trygghet=5))
    html = results(en, scoring_round)
    assert "3 have voted" in html and "Median</th>" in html
    assert "2–4" in html  # the spread of the probability
    assert "Agreement" in html and "Medium" in html  # trygghet 3, 3, 5: two levels apart
    assert Vote.objects.filter(round=scoring_round).count() == 3


def test_a_second_vote_from_the_same_device_replaces_the_first(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    cast(device, scoring_round, 1, vote_data("2"))
    response = device.post(
        reverse("portal:scoring_vote", args=[scoring_round.code, 1]), vote_data("5"), follow=True
    )
    assert "Your vote was changed. Only the last one counts." in response.content.decode()
    vote = Vote.objects.get(round=scoring_round)
    assert vote.probability == 5
    page = device.get(reverse("portal:scoring_vote", args=[scoring_round.code, 1]))
    assert "Sending again replaces your vote." in page.content.decode()
    assert device.cookies["naboskap_enhet"].value not in vote.device  # only a keyed hash


def test_after_a_vote_the_phone_goes_on_to_the_next_event(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    response = cast(device, scoring_round, 1, vote_data())
    assert response["Location"] == reverse("portal:scoring_vote", args=[scoring_round.code, 2])
    response = device.post(response["Location"], vote_data())
    assert response["Location"] == reverse("portal:scoring_summary", args=[scoring_round.code])
    html = device.get(response["Location"]).content.decode()
    assert "You have scored 2 of 2." in html and "Thank you, your vote was counted." in html
    join = device.get(reverse("portal:scoring_join", args=[scoring_round.code])).content.decode()
    assert "You have scored every event." in join


@pytest.mark.parametrize(
    "data",
    [
        vote_data("9"),
        vote_data("0"),
        vote_data("3", tillit=6),
        vote_data("3", liv_helse=-1),
        {"probability": "3"},  # the required dimensions are missing
        {},
    ],
)
def test_scores_outside_the_scale_are_refused(analysis, en, data):
    scoring_round = open_round(analysis, en["coordinator"])
    response = cast(phone(), scoring_round, 1, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the following" in html
    assert not Vote.objects.exists()


def test_the_service_checks_scores_against_the_frozen_scale(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    event = analysis.events.first()
    for probability, consequences in [(6, {}), (3, {"tillit": 0}), (3, {"ukjent": 2})]:
        with pytest.raises(services.RiskError):
            services.vote_cast(
                scoring_round=scoring_round,
                event=event,
                device="x",
                probability=probability,
                consequences={"liv_helse": 1, "trygghet": 1, "materielle": 1, **consequences},
            )
    assert not Vote.objects.exists()


def test_a_closed_round_takes_no_votes_and_says_so(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    cast(device, scoring_round, 1, vote_data("2"))
    close = reverse("risk:round_close", args=[analysis.project_id, analysis.pk, scoring_round.pk])
    assert en["coordinator"].post(close).status_code == 302
    join = device.get(reverse("portal:scoring_join", args=[scoring_round.code]))
    assert join.status_code == 410
    assert "The scoring round is closed" in join.content.decode()
    response = device.post(
        reverse("portal:scoring_vote", args=[scoring_round.code, 1]), vote_data("5")
    )
    assert response.status_code == 410
    assert "Votes are no longer taken" in response.content.decode()
    assert Vote.objects.get().probability == 2
    with pytest.raises(services.RiskError, match="closed"):
        services.vote_cast(
            scoring_round=scoring_round,
            event=analysis.events.first(),
            device="y",
            probability=1,
            consequences={},
        )


def test_votes_flooded_from_one_address_get_429(analysis, en, settings):
    settings.PUBLIC_VOTE_RATE = "3/d"  # a fixed window: a day, so the test never straddles one
    scoring_round = open_round(analysis, en["coordinator"])
    statuses = [cast(phone(), scoring_round, 1, vote_data()).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    response = cast(phone(), scoring_round, 1, vote_data())
    assert "Too many requests" in response.content.decode()
    assert Vote.objects.count() == 3


@pytest.mark.parametrize("code", ["ZZZZZZ", "abc", "A" * 30, "ÆØÅÆØÅ", "AB-CD"])
def test_an_unknown_code_is_not_found(analysis, code):
    response = phone().get(f"/ros/{code}/")
    assert response.status_code == 404
    assert phone().post(f"/ros/{code}/1/", vote_data()).status_code == 404


def test_an_event_outside_the_round_is_not_found(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    assert phone().get(f"/ros/{scoring_round.code}/99/").status_code == 404


def test_a_round_of_another_municipality_is_not_found(analysis, en, world):
    scoring_round = open_round(analysis, en["coordinator"])
    response = phone().get(f"/k/{world.other_municipality.slug}/ros/{scoring_round.code}/")
    assert response.status_code == 404
    assert phone().get(f"/k/fjordby/ros/{scoring_round.code.lower()}/").status_code == 200


def test_one_open_round_per_analysis(analysis, en):
    open_round(analysis, en["coordinator"])
    url = reverse("risk:round_create", args=[analysis.project_id, analysis.pk])
    response = en["coordinator"].post(url, {"events": [analysis.events.first().pk]})
    assert response.status_code == 400
    assert "already open" in response.content.decode()
    assert en["coordinator"].post(url, {}).status_code == 400


def test_settling_starts_from_the_medians_and_keeps_the_spread(analysis, en):
    event = analysis.events.get(number=1)
    score(event, 1, {"liv_helse": 1, "trygghet": 1, "materielle": 1, "tillit": 1})
    scoring_round = open_round(analysis, en["coordinator"])
    for probability, trygghet in [("2", 2), ("3", 4), ("3", 4), ("4", 5)]:
        cast(phone(), scoring_round, 1, vote_data(probability, trygghet=trygghet))
    args = [analysis.project_id, analysis.pk, scoring_round.pk]
    settle = reverse("risk:round_settle", args=args)
    assert en["coordinator"].get(settle).status_code == 302  # still open: close first
    en["coordinator"].post(reverse("risk:round_close", args=args))
    page = en["coordinator"].get(settle).content.decode()
    prefix = f"e{event.pk}"
    select = re.search(rf'name="{prefix}-probability".*?</select>', page, re.S).group()
    assert re.search(r'<option value="3"\s*selected', select)  # the median probability
    dimensions = {d.key: d for d in analysis.scale_version.dimensions.all()}
    data = {"event": str(event.pk), f"{prefix}-probability": "3"}
    for key, dimension in dimensions.items():
        data[f"{prefix}-c_{key}"] = {"trygghet": "4"}.get(key, "2") if dimension.required else ""
    data[f"{prefix}-knowledge_agreement"] = "weak"
    response = en["coordinator"].post(settle, data, follow=True)
    assert "were settled" in response.content.decode()
    event.refresh_from_db()
    assert event.probability == 3
    assert event.knowledge_agreement == "weak"
    assert event.settled_spread["votes"] == 4
    assert event.settled_spread["probability"] == {"2": 1, "3": 2, "4": 1}
    assert event.settled_spread["trygghet"] == {"2": 1, "4": 2, "5": 1}
    trygghet = event.scores.get(dimension=dimensions["trygghet"], stage="before")
    assert trygghet.level == 4 and trygghet.justification == "Begrunnelse."  # kept
    page = en["coordinator"].get(event.get_absolute_url()).content.decode()
    assert "Agreement behind the strength of knowledge" in page
    assert f"Settled after scoring round {scoring_round.code} with 4 votes." in page


def test_settling_refuses_scores_outside_the_scale(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    args = [analysis.project_id, analysis.pk, scoring_round.pk]
    en["coordinator"].post(reverse("risk:round_close", args=args))
    event = analysis.events.get(number=1)
    prefix = f"e{event.pk}"
    data = {"event": str(event.pk), f"{prefix}-probability": "7", f"{prefix}-c_tillit": "0"}
    response = en["coordinator"].post(reverse("risk:round_settle", args=args), data)
    assert response.status_code == 400
    assert "Choose a level from 1 to 5" in response.content.decode()
    event.refresh_from_db()
    assert event.probability is None and not event.settled_spread
    assert not ConsequenceScore.objects.filter(event=event).exists()
    response = en["coordinator"].post(reverse("risk:round_settle", args=args), {"event": "x"})
    assert response.status_code == 400


def test_a_round_is_only_for_a_draft(analysis, en):
    services.analysis_change_status(analysis=analysis, to_status="review", changed_by=None)
    url = reverse("risk:round_create", args=[analysis.project_id, analysis.pk])
    response = en["coordinator"].post(url, {"events": [analysis.events.first().pk]})
    assert response.status_code == 302
    assert not ScoringRound.objects.exists()


def test_a_round_still_open_closes_when_the_draft_goes_for_review(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    assert cast(device, scoring_round, 1, vote_data("2")).status_code == 302
    services.analysis_change_status(
        analysis=analysis, to_status="review", changed_by=analysis.created_by
    )
    scoring_round.refresh_from_db()
    assert scoring_round.closed_by == analysis.created_by
    response = device.post(
        reverse("portal:scoring_vote", args=[scoring_round.code, 1]), vote_data("5")
    )
    assert response.status_code == 410
    assert "Votes are no longer taken" in response.content.decode()
    assert Vote.objects.get().probability == 2


@pytest.mark.parametrize("events", [2, 40])
def test_the_room_view_does_not_grow_queries(world, en, events, django_assert_max_num_queries):
    analysis = make_analysis(world.project)
    made = fill_analysis(analysis, events)
    scoring_round = services.round_open(analysis=analysis, events=made, opened_by=None)
    for n, event in enumerate(made):
        for device in range(4):
            Vote.objects.create(
                round=scoring_round,
                event=event,
                device=f"d{device}",
                probability=1 + (n + device) % 5,
                consequences={"tillit": 1 + device},
            )
    args = [world.project.pk, analysis.pk, scoring_round.pk]
    with django_assert_max_num_queries(20):
        assert en["coordinator"].get(scoring_round.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(20):
        assert results(en, scoring_round).count("4 have voted") == events
    services.round_close(scoring_round=scoring_round, closed_by=None)
    with django_assert_max_num_queries(22):
        response = en["coordinator"].get(reverse("risk:round_settle", args=args))
        assert response.status_code == 200


def test_the_analysis_page_links_to_scoring(analysis, en):
    html = en["coordinator"].get(analysis.get_absolute_url()).content.decode()
    assert reverse("risk:round_create", args=[analysis.project_id, analysis.pk]) in html
    assert UnwantedEvent.objects.filter(analysis=analysis).count() == 2


def test_a_vote_without_the_device_cookie_is_refused_clearly(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    url = reverse("portal:scoring_vote", args=[scoring_round.code, 1])
    response = device.post(url, vote_data())
    assert response.status_code == 400
    assert "Allow cookies for this site" in response.content.decode()
    assert not Vote.objects.exists()
    assert device.post(url, vote_data()).status_code == 302  # the refusal gave it one
    assert Vote.objects.count() == 1
